#include "kube/work_queue_rate_limiter.h"

#include <algorithm>
#include <cmath>

namespace castellan::kube {

Duration ItemExponentialRateLimiter::when(const std::string& item) {
  std::lock_guard<std::mutex> lock(mu_);
  int exp = failures_[item]++;
  // Computed in double so that 2^exp cannot overflow before the cap applies.
  double delay = std::chrono::duration<double>(base_).count() * std::pow(2.0, exp);
  double cap = std::chrono::duration<double>(max_).count();
  if (delay >= cap) return max_;
  return std::chrono::duration_cast<Duration>(std::chrono::duration<double>(delay));
}

void ItemExponentialRateLimiter::forget(const std::string& item) {
  std::lock_guard<std::mutex> lock(mu_);
  failures_.erase(item);
}

int ItemExponentialRateLimiter::num_requeues(const std::string& item) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = failures_.find(item);
  return it == failures_.end() ? 0 : it->second;
}

BucketRateLimiter::BucketRateLimiter(double qps, int burst, ClockPtr clock)
    : clock_(std::move(clock)), bucket_(qps, burst, clock_->now()) {}

Duration BucketRateLimiter::when(const std::string&) {
  std::lock_guard<std::mutex> lock(mu_);
  return bucket_.reserve(clock_->now());
}

Duration MaxOfRateLimiter::when(const std::string& item) {
  Duration longest = Duration::zero();
  for (auto& limiter : limiters_) longest = std::max(longest, limiter->when(item));
  return longest;
}

void MaxOfRateLimiter::forget(const std::string& item) {
  for (auto& limiter : limiters_) limiter->forget(item);
}

int MaxOfRateLimiter::num_requeues(const std::string& item) {
  int most = 0;
  for (auto& limiter : limiters_) most = std::max(most, limiter->num_requeues(item));
  return most;
}

WorkQueueRateLimiterPtr default_controller_rate_limiter(ClockPtr clock) {
  std::vector<WorkQueueRateLimiterPtr> limiters;
  limiters.push_back(std::make_unique<ItemExponentialRateLimiter>(std::chrono::milliseconds(5),
                                                                  std::chrono::seconds(1000)));
  limiters.push_back(std::make_unique<BucketRateLimiter>(10.0, 100, std::move(clock)));
  return std::make_unique<MaxOfRateLimiter>(std::move(limiters));
}

}  // namespace castellan::kube
