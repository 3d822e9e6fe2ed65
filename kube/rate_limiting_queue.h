#pragma once
// RateLimitingQueue: a WorkQueue whose failed items come back after a rate limiter's delay
// (by default client-go's controller limiter: per-item 5 ms .. 1000 s, overall 10 qps / 100).
// A worker calls add_rate_limited() on failure and forget() on success.

#include "kube/work_queue.h"
#include "kube/work_queue_rate_limiter.h"

namespace castellan::kube {

class RateLimitingQueue : public WorkQueue {
 public:
  explicit RateLimitingQueue(ClockPtr clock = real_clock(), WorkQueueRateLimiterPtr limiter = nullptr);

  void add_rate_limited(const std::string& item);
  void forget(const std::string& item);
  int num_requeues(const std::string& item);

 private:
  WorkQueueRateLimiterPtr limiter_;
};

}  // namespace castellan::kube
