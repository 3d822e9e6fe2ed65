#pragma once
// The webhook's Prometheus metrics, rendered in the text exposition format (0.0.4).
// Counters are atomics; the per-policy series are created on first use.

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <shared_mutex>
#include <string>
#include <utility>

namespace castellan::webhook {

enum class Endpoint { Validate = 0, Mutate = 1 };
inline constexpr size_t kEndpointCount = 2;
const char* endpoint_name(Endpoint endpoint);

class Metrics {
 public:
  // Upper bounds in seconds; fine below 1 ms where a healthy webhook answers.
  static constexpr std::array<double, 16> kLatencyBuckets = {
      0.00005, 0.0001, 0.00015, 0.0002, 0.0003, 0.0004, 0.0005, 0.00075,
      0.001,   0.0025, 0.005,   0.01,   0.025,  0.1,    0.5,    1.0};

  void count_request(Endpoint endpoint, const std::string& verdict);
  void count_policy(Endpoint endpoint, const std::string& policy, const std::string& verdict);
  void observe_latency(Endpoint endpoint, std::chrono::nanoseconds elapsed);
  void count_decode_error(const std::string& reason);
  void count_http_error(int status);
  void set_snapshot_generation(uint64_t generation) { snapshot_generation_ = generation; }
  void set_snapshot_policies(uint64_t count) { snapshot_policies_ = count; }
  void connection_opened() { ++connections_open_; ++connections_total_; }
  void connection_closed() { --connections_open_; }
  void connection_rejected() { ++connections_rejected_; }
  void handshake_failed() { ++handshake_failures_; }
  void certificate_reloaded() { ++certificate_reloads_; }

  uint64_t decode_errors(const std::string& reason) const;
  uint64_t requests(Endpoint endpoint, const std::string& verdict) const;
  int64_t connections_open() const { return connections_open_; }

  std::string render() const;

 private:
  using Key = std::pair<std::string, std::string>;
  using CounterPtr = std::unique_ptr<std::atomic<uint64_t>>;
  std::atomic<uint64_t>& counter(const Key& key);
  uint64_t read(const Key& key) const;

  struct Histogram {
    std::array<std::atomic<uint64_t>, kLatencyBuckets.size()> buckets{};
    std::atomic<uint64_t> count{0};
    std::atomic<uint64_t> sum_ns{0};
  };

  mutable std::shared_mutex mu_;  // guards the shape of counters_, not the values
  std::map<Key, CounterPtr> counters_;  // (family, label set, ...) -> value
  std::array<Histogram, kEndpointCount> latency_;
  std::atomic<uint64_t> snapshot_generation_{0};
  std::atomic<uint64_t> snapshot_policies_{0};
  std::atomic<int64_t> connections_open_{0};
  std::atomic<uint64_t> connections_total_{0};
  std::atomic<uint64_t> connections_rejected_{0};
  std::atomic<uint64_t> handshake_failures_{0};
  std::atomic<uint64_t> certificate_reloads_{0};
};

}  // namespace castellan::webhook
