#pragma once
// RetryPolicy: when a failed API request is repeated and after how long. Pure logic: the
// random source is injected so tests are exact.

#include <chrono>
#include <functional>
#include <optional>
#include <string>

namespace castellan::kube {

// One failed attempt as the transport saw it.
struct AttemptOutcome {
  int attempt = 0;                // 0 for the first try
  bool connection_error = false;  // no HTTP answer (connect, TLS, write, read or timeout)
  bool request_sent = false;      // writing began before the connection failed
  int status = 0;                 // the HTTP status when there was an answer
  bool idempotent = true;         // GET, PUT, DELETE, apply PATCH
  std::string retry_after;        // the Retry-After header, verbatim
};

struct RetryPolicy {
  int max_retries = 5;
  std::chrono::milliseconds base{200};
  std::chrono::milliseconds cap{10000};
  // Upper bound on a server's Retry-After, so a bad value cannot stall a client for hours.
  std::chrono::milliseconds max_retry_after{60000};
  // random() in [0, 1); default std::random_device-seeded.
  std::function<double()> random;

  // The delay before the next attempt, or nullopt when `outcome` must not be retried.
  std::optional<std::chrono::milliseconds> next_delay(const AttemptOutcome& outcome) const;
};

// Retry-After as a delay: delta-seconds or an HTTP-date (relative to `now`). nullopt when
// absent or malformed.
std::optional<std::chrono::milliseconds> parse_retry_after(
    const std::string& value,
    std::chrono::system_clock::time_point now = std::chrono::system_clock::now());

}  // namespace castellan::kube
