#pragma once
// Rate limiters for the work queue, as client-go's workqueue: how long an item waits before it
// is retried. All are thread-safe.

#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "kube/clock.h"
#include "kube/rate_limiting_token_bucket.h"

namespace castellan::kube {

class WorkQueueRateLimiter {
 public:
  virtual ~WorkQueueRateLimiter() = default;
  // The delay before `item` may be processed again; counts one more failure.
  virtual Duration when(const std::string& item) = 0;
  // The item succeeded: stop tracking its failures.
  virtual void forget(const std::string& item) = 0;
  virtual int num_requeues(const std::string& item) = 0;
};

using WorkQueueRateLimiterPtr = std::unique_ptr<WorkQueueRateLimiter>;

// base * 2^failures, capped at max: per item.
class ItemExponentialRateLimiter : public WorkQueueRateLimiter {
 public:
  ItemExponentialRateLimiter(Duration base, Duration max) : base_(base), max_(max) {}
  Duration when(const std::string& item) override;
  void forget(const std::string& item) override;
  int num_requeues(const std::string& item) override;

 private:
  std::mutex mu_;
  Duration base_;
  Duration max_;
  std::unordered_map<std::string, int> failures_;
};

// One token bucket shared by all items: an overall retry rate.
class BucketRateLimiter : public WorkQueueRateLimiter {
 public:
  BucketRateLimiter(double qps, int burst, ClockPtr clock);
  Duration when(const std::string& item) override;
  void forget(const std::string&) override {}
  int num_requeues(const std::string&) override { return 0; }

 private:
  std::mutex mu_;
  ClockPtr clock_;
  TokenBucket bucket_;
};

// The longest delay of several limiters.
class MaxOfRateLimiter : public WorkQueueRateLimiter {
 public:
  explicit MaxOfRateLimiter(std::vector<WorkQueueRateLimiterPtr> limiters)
      : limiters_(std::move(limiters)) {}
  Duration when(const std::string& item) override;
  void forget(const std::string& item) override;
  int num_requeues(const std::string& item) override;

 private:
  std::vector<WorkQueueRateLimiterPtr> limiters_;
};

// client-go's DefaultControllerRateLimiter: max of per-item 5 ms .. 1000 s and 10 qps / 100 burst.
WorkQueueRateLimiterPtr default_controller_rate_limiter(ClockPtr clock);

}  // namespace castellan::kube
