#include "kube/rate_limiting_queue.h"

namespace castellan::kube {

RateLimitingQueue::RateLimitingQueue(ClockPtr clock, WorkQueueRateLimiterPtr limiter)
    : WorkQueue(clock),
      limiter_(limiter ? std::move(limiter) : default_controller_rate_limiter(clock)) {}

void RateLimitingQueue::add_rate_limited(const std::string& item) {
  add_after(item, limiter_->when(item));
}

void RateLimitingQueue::forget(const std::string& item) { limiter_->forget(item); }

int RateLimitingQueue::num_requeues(const std::string& item) {
  return limiter_->num_requeues(item);
}

}  // namespace castellan::kube
