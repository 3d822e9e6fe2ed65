#pragma once
// RateLimiter: client-side throttling as client-go's token bucket (QPS with a burst). Requests
// reserve a token; when the bucket is empty the reservation says how long to wait, so waiting
// callers queue up in order instead of racing.

#include <chrono>
#include <functional>
#include <mutex>

namespace castellan::kube {

class RateLimiter {
 public:
  using Clock = std::chrono::steady_clock;
  using NowFn = std::function<Clock::time_point()>;
  using SleepFn = std::function<void(Clock::duration)>;

  // qps <= 0 disables throttling. now/sleep default to the real clock.
  RateLimiter(double qps, int burst, NowFn now = {}, SleepFn sleep = {});

  // Takes one token and returns how long the caller must wait before using it (zero when one
  // was available).
  Clock::duration reserve();
  // reserve() then sleep.
  void wait();

 private:
  double qps_;
  double burst_;
  NowFn now_;
  SleepFn sleep_;
  std::mutex mu_;
  double tokens_;
  Clock::time_point last_;
};

}  // namespace castellan::kube
