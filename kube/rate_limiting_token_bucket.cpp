#include "kube/rate_limiting_token_bucket.h"

#include <algorithm>

namespace castellan::kube {

TokenBucket::TokenBucket(double qps, int burst, TimePoint now)
    : qps_(qps), burst_(std::max(burst, 1)), tokens_(burst_), last_(now) {}

void TokenBucket::refill(TimePoint now) {
  if (now <= last_) return;
  double elapsed = std::chrono::duration<double>(now - last_).count();
  tokens_ = std::min(burst_, tokens_ + elapsed * qps_);
  last_ = now;
}

bool TokenBucket::try_take(TimePoint now) {
  refill(now);
  if (tokens_ < 1.0) return false;
  tokens_ -= 1.0;
  return true;
}

Duration TokenBucket::reserve(TimePoint now) {
  refill(now);
  tokens_ -= 1.0;
  if (tokens_ >= 0.0 || qps_ <= 0.0) return Duration::zero();
  return std::chrono::duration_cast<Duration>(std::chrono::duration<double>(-tokens_ / qps_));
}

double TokenBucket::tokens(TimePoint now) {
  refill(now);
  return tokens_;
}

}  // namespace castellan::kube
