#include "kube/rate_limiter.h"

#include <algorithm>
#include <thread>

namespace castellan::kube {

RateLimiter::RateLimiter(double qps, int burst, NowFn now, SleepFn sleep)
    : qps_(qps),
      burst_(std::max(1, burst)),
      now_(now ? std::move(now) : NowFn([] { return Clock::now(); })),
      sleep_(sleep ? std::move(sleep)
                   : SleepFn([](Clock::duration d) { std::this_thread::sleep_for(d); })),
      tokens_(burst_),
      last_(now_()) {}

RateLimiter::Clock::duration RateLimiter::reserve() {
  if (qps_ <= 0) return Clock::duration::zero();
  std::lock_guard lock(mu_);
  auto now = now_();
  if (now > last_) {
    double elapsed = std::chrono::duration<double>(now - last_).count();
    tokens_ = std::min(burst_, tokens_ + elapsed * qps_);
    last_ = now;
  }
  // Tokens may go negative: each waiter owns its slot in the refill order.
  tokens_ -= 1.0;
  if (tokens_ >= 0) return Clock::duration::zero();
  return std::chrono::duration_cast<Clock::duration>(
      std::chrono::duration<double>(-tokens_ / qps_));
}

void RateLimiter::wait() {
  auto delay = reserve();
  if (delay > Clock::duration::zero()) sleep_(delay);
}

}  // namespace castellan::kube
