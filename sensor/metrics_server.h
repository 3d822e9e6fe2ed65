#pragma once
// MetricsServer: a deliberately small HTTP/1.0 server answering GET /metrics, /healthz and
// /readyz on one thread.

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <thread>

#include "common/result.h"

namespace castellan::sensor {

class MetricsServer {
 public:
  using BodyFn = std::function<std::string()>;
  // Why the sensor is not ready yet; empty when it is (then /readyz answers 200).
  using NotReadyFn = std::function<std::string()>;

  explicit MetricsServer(BodyFn body, NotReadyFn not_ready = [] { return std::string(); })
      : body_(std::move(body)), not_ready_(std::move(not_ready)) {}
  ~MetricsServer() { stop(); }

  // Listens on 0.0.0.0:port (0 picks a free port) and serves until stop().
  Status start(uint16_t port);
  void stop();
  uint16_t port() const { return port_; }

 private:
  void serve();
  void answer(int client);

  BodyFn body_;
  NotReadyFn not_ready_;
  int listen_fd_ = -1;
  uint16_t port_ = 0;
  std::atomic<bool> running_{false};
  std::thread thread_;
};

}  // namespace castellan::sensor
