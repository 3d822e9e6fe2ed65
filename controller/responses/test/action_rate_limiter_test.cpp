#include "controller/responses/action_rate_limiter.h"

#include <gtest/gtest.h>

namespace castellan::controller {
namespace {

using std::chrono::seconds;

// Verifies that a burst gets exactly the limit, per policy, and the rest is refused.
TEST(ActionRateLimiterTest, BurstGetsTheLimitPerPolicy) {
  ActionRateLimiter limiter;
  ActionRateLimiter::TimePoint t0{};
  int taken = 0;
  for (int i = 0; i < 100; ++i) taken += limiter.try_take("a", 5, t0) ? 1 : 0;
  EXPECT_EQ(taken, 5);
  EXPECT_TRUE(limiter.try_take("b", 5, t0));
  EXPECT_EQ(limiter.used("a", t0), 5);
  EXPECT_EQ(limiter.used("b", t0), 1);
}

// Verifies that the window slides: an action frees its slot 60 s after it was taken.
TEST(ActionRateLimiterTest, WindowSlides) {
  ActionRateLimiter limiter;
  ActionRateLimiter::TimePoint t0{};
  EXPECT_TRUE(limiter.try_take("a", 2, t0));
  EXPECT_TRUE(limiter.try_take("a", 2, t0 + seconds(30)));
  EXPECT_FALSE(limiter.try_take("a", 2, t0 + seconds(59)));
  EXPECT_TRUE(limiter.try_take("a", 2, t0 + seconds(60)));
  EXPECT_FALSE(limiter.try_take("a", 2, t0 + seconds(89)));
  EXPECT_EQ(limiter.used("a", t0 + seconds(200)), 0);
  limiter.forget("a");
  EXPECT_EQ(limiter.used("a", t0), 0);
}

}  // namespace
}  // namespace castellan::controller
