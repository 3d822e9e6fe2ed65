#pragma once
// Backoff: exponential delays with jitter, as client-go's wait.Backoff / backoff managers.
// Pure logic: the caller sleeps; the random source is injectable so tests are exact.

#include <functional>
#include <random>

#include "kube/clock.h"

namespace castellan::kube {

struct BackoffOptions {
  Duration initial = std::chrono::milliseconds(800);
  Duration max = std::chrono::seconds(30);
  double factor = 2.0;
  // Each delay d becomes d + uniform[0, jitter) * d.
  double jitter = 1.0;
};

class Backoff {
 public:
  // random() must return a value in [0, 1).
  using Random = std::function<double()>;

  explicit Backoff(BackoffOptions options = {}, Random random = {});

  // The delay to wait now; each call grows the next one up to options.max (before jitter).
  Duration next();
  // Back to the initial delay (after a healthy period).
  void reset();
  int attempts() const { return attempts_; }

 private:
  BackoffOptions options_;
  Random random_;
  Duration current_;
  int attempts_ = 0;
};

}  // namespace castellan::kube
