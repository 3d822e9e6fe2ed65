#pragma once
// ActionRateLimiter: at most N response actions per policy in any 60 s window, so that an
// alert storm cannot delete a namespace. Pure: the caller passes the time. Not thread-safe.

#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <string>

namespace castellan::controller {

class ActionRateLimiter {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;

  // True (and the action is counted) when `policy` took fewer than `per_minute` actions in
  // the 60 s before `now`.
  bool try_take(const std::string& policy, int64_t per_minute, TimePoint now);
  // Actions counted for `policy` in the window ending at `now`.
  int64_t used(const std::string& policy, TimePoint now);
  // Forgets policies that no longer exist.
  void forget(const std::string& policy) { taken_.erase(policy); }

 private:
  std::map<std::string, std::deque<TimePoint>> taken_;
};

}  // namespace castellan::controller
