#include "kube/backoff.h"

#include <gtest/gtest.h>

#include "kube/rate_limiting_token_bucket.h"

namespace castellan::kube {
namespace {

using namespace std::chrono_literals;

// Verifies that delays double from the initial value and stop growing at the maximum.
TEST(BackoffTest, GrowsExponentiallyToMax) {
  Backoff backoff({.initial = 1s, .max = 8s, .factor = 2.0, .jitter = 0.0});
  EXPECT_EQ(backoff.next(), Duration(1s));
  EXPECT_EQ(backoff.next(), Duration(2s));
  EXPECT_EQ(backoff.next(), Duration(4s));
  EXPECT_EQ(backoff.next(), Duration(8s));
  EXPECT_EQ(backoff.next(), Duration(8s));
  backoff.reset();
  EXPECT_EQ(backoff.next(), Duration(1s));
}

// Verifies that jitter adds up to `jitter` times the delay, drawn from the random source.
TEST(BackoffTest, JitterStretchesDelay) {
  double draw = 0.5;
  Backoff backoff({.initial = 1s, .max = 30s, .factor = 2.0, .jitter = 1.0}, [&] { return draw; });
  EXPECT_EQ(backoff.next(), Duration(1500ms));
  draw = 0.0;
  EXPECT_EQ(backoff.next(), Duration(2s));
}

// Verifies that a token bucket spends its burst, then refills at qps.
TEST(TokenBucketTest, BurstThenRefill) {
  TimePoint t0{};
  TokenBucket bucket(2.0, 3, t0);
  EXPECT_TRUE(bucket.try_take(t0));
  EXPECT_TRUE(bucket.try_take(t0));
  EXPECT_TRUE(bucket.try_take(t0));
  EXPECT_FALSE(bucket.try_take(t0));
  EXPECT_FALSE(bucket.try_take(t0 + 400ms));
  EXPECT_TRUE(bucket.try_take(t0 + 500ms));
  EXPECT_TRUE(bucket.try_take(t0 + 10s));
  EXPECT_TRUE(bucket.try_take(t0 + 10s));
  EXPECT_TRUE(bucket.try_take(t0 + 10s));
  EXPECT_FALSE(bucket.try_take(t0 + 10s)) << "burst caps what is saved up";
}

}  // namespace
}  // namespace castellan::kube
