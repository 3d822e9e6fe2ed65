#include "kube/retry.h"

#include <algorithm>
#include <cctype>
#include <ctime>
#include <mutex>
#include <random>

namespace castellan::kube {
namespace {

double default_random() {
  static std::mutex mu;
  static std::mt19937_64 engine{std::random_device{}()};
  std::lock_guard lock(mu);
  return std::uniform_real_distribution<double>(0.0, 1.0)(engine);
}

// 429 means the server refused before doing anything, so even a POST may be repeated; other
// 5xx answers may follow a partial effect and are repeated for idempotent requests only.
bool retryable_status(int status, bool idempotent) {
  if (status == 429) return true;
  if (!idempotent) return false;
  return status >= 500 && status != 501 && status != 505;
}

}  // namespace

std::optional<std::chrono::milliseconds> parse_retry_after(
    const std::string& value, std::chrono::system_clock::time_point now) {
  std::string v = value;
  while (!v.empty() && std::isspace(static_cast<unsigned char>(v.back()))) v.pop_back();
  while (!v.empty() && std::isspace(static_cast<unsigned char>(v.front()))) v.erase(0, 1);
  if (v.empty()) return std::nullopt;
  if (std::all_of(v.begin(), v.end(), [](unsigned char c) { return std::isdigit(c); })) {
    if (v.size() > 9) return std::nullopt;
    return std::chrono::seconds(std::stol(v));
  }
  // IMF-fixdate, e.g. "Wed, 21 Oct 2015 07:28:00 GMT".
  std::tm tm{};
  const char* end = strptime(v.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm);
  if (end == nullptr || *end != '\0') return std::nullopt;
  auto at = std::chrono::system_clock::from_time_t(timegm(&tm));
  if (at <= now) return std::chrono::milliseconds(0);
  return std::chrono::duration_cast<std::chrono::milliseconds>(at - now);
}

std::optional<std::chrono::milliseconds> RetryPolicy::next_delay(
    const AttemptOutcome& outcome) const {
  if (outcome.attempt >= max_retries) return std::nullopt;
  if (outcome.connection_error) {
    if (outcome.request_sent && !outcome.idempotent) return std::nullopt;
  } else if (!retryable_status(outcome.status, outcome.idempotent)) {
    return std::nullopt;
  }
  if (!outcome.connection_error) {
    if (auto after = parse_retry_after(outcome.retry_after))
      return std::min(*after, max_retry_after);
  }
  // Exponential with "equal jitter": half fixed, half random, so delays never collapse to 0.
  double exp =
      static_cast<double>(base.count()) * static_cast<double>(1LL << std::min(outcome.attempt, 20));
  double capped = std::min(exp, static_cast<double>(cap.count()));
  double r = random ? random() : default_random();
  return std::chrono::milliseconds(static_cast<long long>(capped / 2 + r * capped / 2));
}

}  // namespace castellan::kube
