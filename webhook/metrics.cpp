#include "webhook/metrics.h"

#include "common/prometheus_text.h"

#include <cstdio>
#include <mutex>

namespace castellan::webhook {
namespace {

constexpr const char* kRequests = "castellan_webhook_requests_total";
constexpr const char* kPolicy = "castellan_webhook_policy_verdicts_total";
constexpr const char* kDecode = "castellan_webhook_decode_errors_total";
constexpr const char* kHttp = "castellan_webhook_http_errors_total";

// Label values come from policy names and fixed words; escape anyway.
std::string escape(const std::string& value) {
  std::string out;
  for (char c : value) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

std::string format_double(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

void header(std::string& out, const char* name, const char* type, const char* help) {
  append_metric_header(out, name, type, help);
}

}  // namespace

const char* endpoint_name(Endpoint endpoint) {
  return endpoint == Endpoint::Validate ? "validate" : "mutate";
}

std::atomic<uint64_t>& Metrics::counter(const Key& key) {
  {
    std::shared_lock lock(mu_);
    auto it = counters_.find(key);
    if (it != counters_.end()) return *it->second;
  }
  std::unique_lock lock(mu_);
  auto& slot = counters_[key];
  if (!slot) slot = std::make_unique<std::atomic<uint64_t>>(0);
  return *slot;
}

uint64_t Metrics::read(const Key& key) const {
  std::shared_lock lock(mu_);
  auto it = counters_.find(key);
  return it == counters_.end() ? 0 : it->second->load();
}

void Metrics::count_request(Endpoint endpoint, const std::string& verdict) {
  ++counter({kRequests, "endpoint=\"" + std::string(endpoint_name(endpoint)) + "\",verdict=\"" +
                            escape(verdict) + "\""});
}

void Metrics::count_policy(Endpoint endpoint, const std::string& policy,
                           const std::string& verdict) {
  ++counter({kPolicy, "endpoint=\"" + std::string(endpoint_name(endpoint)) + "\",policy=\"" +
                          escape(policy) + "\",verdict=\"" + escape(verdict) + "\""});
}

void Metrics::count_decode_error(const std::string& reason) {
  ++counter({kDecode, "reason=\"" + escape(reason) + "\""});
}

void Metrics::count_http_error(int status) {
  ++counter({kHttp, "code=\"" + std::to_string(status) + "\""});
}

uint64_t Metrics::decode_errors(const std::string& reason) const {
  return read({kDecode, "reason=\"" + escape(reason) + "\""});
}

uint64_t Metrics::requests(Endpoint endpoint, const std::string& verdict) const {
  return read({kRequests, "endpoint=\"" + std::string(endpoint_name(endpoint)) +
                              "\",verdict=\"" + escape(verdict) + "\""});
}

void Metrics::observe_latency(Endpoint endpoint, std::chrono::nanoseconds elapsed) {
  Histogram& h = latency_[static_cast<size_t>(endpoint)];
  double seconds = std::chrono::duration<double>(elapsed).count();
  for (size_t i = 0; i < kLatencyBuckets.size(); ++i) {
    if (seconds <= kLatencyBuckets[i]) {
      h.buckets[i].fetch_add(1, std::memory_order_relaxed);
      break;
    }
  }
  h.count.fetch_add(1, std::memory_order_relaxed);
  h.sum_ns.fetch_add(static_cast<uint64_t>(elapsed.count()), std::memory_order_relaxed);
}

std::string Metrics::render() const {
  std::string out;
  out.reserve(8192);
  std::map<std::string, std::string> families = {
      {kRequests, "AdmissionReview requests answered, by endpoint and verdict."},
      {kPolicy, "Verdicts of each SecurityPolicy, by endpoint."},
      {kDecode, "Request bodies refused before evaluation, by reason."},
      {kHttp, "HTTP answers other than 200, by status code."}};
  {
    std::shared_lock lock(mu_);
    for (const auto& [family, help] : families) {
      header(out, family.c_str(), "counter", help.c_str());
      for (const auto& [key, value] : counters_) {
        if (std::get<0>(key) != family) continue;
        out += family + "{" + std::get<1>(key) + "} " + std::to_string(value->load()) + "\n";
      }
    }
  }

  const char* hist = "castellan_webhook_request_duration_seconds";
  header(out, hist, "histogram", "Time from a whole request read to its answer, by endpoint.");
  for (size_t e = 0; e < kEndpointCount; ++e) {
    const Histogram& h = latency_[e];
    std::string label = std::string("endpoint=\"") + endpoint_name(static_cast<Endpoint>(e)) + "\"";
    uint64_t cumulative = 0;
    for (size_t i = 0; i < kLatencyBuckets.size(); ++i) {
      cumulative += h.buckets[i].load(std::memory_order_relaxed);
      out += std::string(hist) + "_bucket{" + label + ",le=\"" + format_double(kLatencyBuckets[i]) +
             "\"} " + std::to_string(cumulative) + "\n";
    }
    uint64_t count = h.count.load(std::memory_order_relaxed);
    out += std::string(hist) + "_bucket{" + label + ",le=\"+Inf\"} " + std::to_string(count) + "\n";
    out += std::string(hist) + "_sum{" + label + "} " +
           format_double(static_cast<double>(h.sum_ns.load()) / 1e9) + "\n";
    out += std::string(hist) + "_count{" + label + "} " + std::to_string(count) + "\n";
  }

  auto gauge = [&out](const char* name, const char* type, const char* help, auto value) {
    header(out, name, type, help);
    out += std::string(name) + " " + std::to_string(value) + "\n";
  };
  gauge("castellan_webhook_snapshot_generation", "gauge",
        "Generation of the policy snapshot being served (0: none loaded).",
        snapshot_generation_.load());
  gauge("castellan_webhook_snapshot_policies", "gauge", "Policies in the snapshot being served.",
        snapshot_policies_.load());
  gauge("castellan_webhook_connections_open", "gauge", "TLS connections open now.",
        connections_open_.load());
  gauge("castellan_webhook_connections_total", "counter", "TLS connections accepted.",
        connections_total_.load());
  gauge("castellan_webhook_connections_rejected_total", "counter",
        "Connections closed at once because the connection cap was reached.",
        connections_rejected_.load());
  gauge("castellan_webhook_tls_handshake_failures_total", "counter", "TLS handshakes that failed.",
        handshake_failures_.load());
  gauge("castellan_webhook_certificate_reloads_total", "counter",
        "Serving certificates loaded after startup.", certificate_reloads_.load());
  return out;
}

}  // namespace castellan::webhook
