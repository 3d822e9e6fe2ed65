#pragma once
// Transport: one API server's HTTP(S) round trips with everything client-go's transport stack
// adds: pooled keep-alive connections, bearer credentials, client-side throttling, per-request
// timeouts, and retries with backoff for connection errors, 429 and 5xx (Retry-After honoured).

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "kube/client_config.h"
#include "kube/connection_pool.h"
#include "kube/rate_limiter.h"
#include "kube/retry.h"
#include "kube/transport_auth.h"

namespace castellan::kube {

// What a streamed request ended with. status != 200: body holds the error answer.
struct StreamOutcome {
  int status = 0;
  std::string body;
  // true when the server ended a 200 stream cleanly (watch timeout), false when it was cut.
  bool ended_by_server = false;
  // true when on_data returned false or `stop` was set.
  bool stopped = false;
};

class Transport {
 public:
  Transport(const ClientConfig& config, ConnectionPoolPtr pool, BearerTokenSourcePtr token);

  // Throttled, authenticated round trip with retries. An HTTP error status is not an error
  // here: the caller decodes it. Errors are transport failures (code 0) after the last retry.
  Result<HttpResponse> round_trip(const HttpRequest& request);

  // Sends `request` and hands each piece of a 200 response body to on_data until it returns
  // false, `stop` is set (noticed within about half a second), the stream ends, or
  // `max_duration` (when given) passes. Not retried: a watch caller re-lists or resumes.
  Result<StreamOutcome> stream(const HttpRequest& request,
                               const std::function<bool(std::string_view)>& on_data,
                               const std::atomic<bool>& stop,
                               std::optional<std::chrono::milliseconds> max_duration = {});

  const ConnectionPool& pool() const { return *pool_; }

  const ClientConfig& config() const { return config_; }

 private:
  Result<HttpResponse> attempt(const HttpRequest& request, const std::string& token, bool& sent);
  std::vector<std::pair<std::string, std::string>> headers(const std::string& token) const;

  ClientConfig config_;
  ConnectionPoolPtr pool_;
  BearerTokenSourcePtr token_;
  RateLimiter limiter_;
  RetryPolicy retry_;
};

using TransportPtr = std::shared_ptr<Transport>;

// Builds TLS context, pool and credentials for `config`.
Result<TransportPtr> make_transport(const ClientConfig& config);

}  // namespace castellan::kube
