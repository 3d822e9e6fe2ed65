#include "controller/responses/action_rate_limiter.h"

namespace castellan::controller {
namespace {

constexpr auto kWindow = std::chrono::seconds(60);

void expire(std::deque<ActionRateLimiter::TimePoint>& times, ActionRateLimiter::TimePoint now) {
  while (!times.empty() && now - times.front() >= kWindow) times.pop_front();
}

}  // namespace

bool ActionRateLimiter::try_take(const std::string& policy, int64_t per_minute, TimePoint now) {
  auto& times = taken_[policy];
  expire(times, now);
  if (static_cast<int64_t>(times.size()) >= per_minute) return false;
  times.push_back(now);
  return true;
}

int64_t ActionRateLimiter::used(const std::string& policy, TimePoint now) {
  auto it = taken_.find(policy);
  if (it == taken_.end()) return 0;
  expire(it->second, now);
  return static_cast<int64_t>(it->second.size());
}

}  // namespace castellan::controller
