#include "kube/backoff.h"

#include <algorithm>

namespace castellan::kube {
namespace {

double default_random() {
  thread_local std::mt19937_64 engine{std::random_device{}()};
  return std::uniform_real_distribution<double>(0.0, 1.0)(engine);
}

}  // namespace

Backoff::Backoff(BackoffOptions options, Random random)
    : options_(options), random_(random ? std::move(random) : Random(default_random)),
      current_(options.initial) {}

Duration Backoff::next() {
  Duration base = current_;
  ++attempts_;
  auto grown = std::chrono::duration_cast<Duration>(base * options_.factor);
  current_ = std::min(grown, options_.max);
  if (options_.jitter <= 0) return base;
  return base + std::chrono::duration_cast<Duration>(base * (options_.jitter * random_()));
}

void Backoff::reset() {
  current_ = options_.initial;
  attempts_ = 0;
}

}  // namespace castellan::kube
