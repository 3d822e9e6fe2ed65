#include "kube/rate_limiter.h"

#include <gtest/gtest.h>

namespace castellan::kube {
namespace {

using namespace std::chrono_literals;
using Clock = RateLimiter::Clock;

// A hand-driven clock; sleeping advances it.
struct FakeTime {
  Clock::time_point now{};
  Clock::duration slept{};
  RateLimiter limiter(double qps, int burst) {
    return RateLimiter(
        qps, burst, [this] { return now; },
        [this](Clock::duration d) {
          slept += d;
          now += d;
        });
  }
};

// Verifies that a burst passes at once and the next request waits 1/qps.
TEST(RateLimiterTest, BurstThenQps) {
  FakeTime time;
  auto limiter = time.limiter(10, 3);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(limiter.reserve(), Clock::duration::zero());
  EXPECT_EQ(std::chrono::duration_cast<std::chrono::milliseconds>(limiter.reserve()), 100ms);
}

// Verifies that queued callers get successive slots instead of the same one.
TEST(RateLimiterTest, WaitersQueueInOrder) {
  FakeTime time;
  auto limiter = time.limiter(5, 1);
  EXPECT_EQ(limiter.reserve(), Clock::duration::zero());
  EXPECT_EQ(std::chrono::duration_cast<std::chrono::milliseconds>(limiter.reserve()), 200ms);
  EXPECT_EQ(std::chrono::duration_cast<std::chrono::milliseconds>(limiter.reserve()), 400ms);
}

// Verifies that tokens refill with time but never beyond the burst.
TEST(RateLimiterTest, RefillsUpToBurst) {
  FakeTime time;
  auto limiter = time.limiter(2, 2);
  limiter.reserve();
  limiter.reserve();
  time.now += 1h;
  EXPECT_EQ(limiter.reserve(), Clock::duration::zero());
  EXPECT_EQ(limiter.reserve(), Clock::duration::zero());
  EXPECT_EQ(std::chrono::duration_cast<std::chrono::milliseconds>(limiter.reserve()), 500ms);
}

// Verifies that wait() sleeps for the reserved delay: 20 requests at qps 10, burst 10 take 1 s.
TEST(RateLimiterTest, WaitSleepsTheReservedDelay) {
  FakeTime time;
  auto limiter = time.limiter(10, 10);
  for (int i = 0; i < 20; ++i) limiter.wait();
  EXPECT_EQ(std::chrono::duration_cast<std::chrono::milliseconds>(time.slept), 1000ms);
}

// Verifies that qps <= 0 disables throttling.
TEST(RateLimiterTest, ZeroQpsIsUnlimited) {
  FakeTime time;
  auto limiter = time.limiter(0, 1);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(limiter.reserve(), Clock::duration::zero());
}

}  // namespace
}  // namespace castellan::kube
