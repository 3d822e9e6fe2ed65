#pragma once
// TokenBucket: `qps` tokens per second, at most `burst` saved up (golang.org/x/time/rate).
// Pure logic on times handed in by the caller, so it is exact under a fake clock.

#include "kube/clock.h"

namespace castellan::kube {

class TokenBucket {
 public:
  TokenBucket(double qps, int burst, TimePoint now);

  // Takes a token if one is available now.
  bool try_take(TimePoint now);
  // Takes a token, possibly borrowed from the future; returns how long to wait before using it.
  Duration reserve(TimePoint now);
  double tokens(TimePoint now);

 private:
  void refill(TimePoint now);

  double qps_;
  double burst_;
  double tokens_;
  TimePoint last_;
};

}  // namespace castellan::kube
