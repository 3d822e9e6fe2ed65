#include "kube/work_queue.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "kube/clock_fake.h"
#include "kube/rate_limiting_queue.h"

namespace castellan::kube {
namespace {

using namespace std::chrono_literals;

// Waits (real time, as a hang guard only) until `done` holds.
template <typename F>
bool eventually(F done) {
  for (int i = 0; i < 10000; ++i) {
    if (done()) return true;
    std::this_thread::sleep_for(1ms);
  }
  return done();
}

// Verifies that an item added twice before it is taken is handed out once.
TEST(WorkQueueTest, DeduplicatesQueuedItems) {
  WorkQueue queue;
  queue.add("a");
  queue.add("b");
  queue.add("a");
  EXPECT_EQ(queue.len(), 2u);
  EXPECT_EQ(queue.get(), "a");
  EXPECT_EQ(queue.get(), "b");
  EXPECT_EQ(queue.len(), 0u);
}

// Verifies that an item added while a worker processes it is queued again only after done().
TEST(WorkQueueTest, ItemAddedWhileProcessingIsRequeuedAfterDone) {
  WorkQueue queue;
  queue.add("a");
  ASSERT_EQ(queue.get(), "a");
  queue.add("a");
  EXPECT_EQ(queue.len(), 0u) << "a second worker must not get an item being processed";
  queue.done("a");
  EXPECT_EQ(queue.len(), 1u);
  EXPECT_EQ(queue.get(), "a");
  queue.done("a");
  EXPECT_EQ(queue.len(), 0u);
}

// Verifies that after shut_down get() still hands out queued items, then reports shutdown.
TEST(WorkQueueTest, ShutdownDrainsQueuedItemsThenReturnsNothing) {
  WorkQueue queue;
  queue.add("a");
  queue.add("b");
  queue.shut_down();
  queue.add("c");
  EXPECT_EQ(queue.get(), "a");
  EXPECT_EQ(queue.get(), "b");
  EXPECT_EQ(queue.get(), std::nullopt);
}

// Verifies that shut_down wakes a worker blocked on an empty queue.
TEST(WorkQueueTest, ShutdownWakesBlockedWorker) {
  WorkQueue queue;
  std::optional<std::string> got = "unset";
  std::thread worker([&] { got = queue.get(); });
  queue.shut_down();
  worker.join();
  EXPECT_EQ(got, std::nullopt);
}

// Verifies that shut_down_with_drain waits until in-flight items are done.
TEST(WorkQueueTest, ShutdownWithDrainWaitsForInFlightItems) {
  WorkQueue queue;
  queue.add("a");
  ASSERT_EQ(queue.get(), "a");
  std::atomic<bool> drained{false};
  std::thread stopper([&] {
    queue.shut_down_with_drain();
    drained = true;
  });
  ASSERT_TRUE(eventually([&] { return queue.shutting_down(); }));
  EXPECT_FALSE(drained.load());
  queue.done("a");
  stopper.join();
  EXPECT_TRUE(drained.load());
}

// Verifies that add_after holds an item until the clock reaches its time.
TEST(WorkQueueTest, AddAfterWaitsForTheClock) {
  auto clock = std::make_shared<FakeClock>();
  WorkQueue queue(clock);
  queue.add_after("a", 10s);
  EXPECT_EQ(queue.len(), 0u);
  EXPECT_EQ(queue.delayed(), 1u);
  std::optional<std::string> got;
  std::thread worker([&] { got = queue.get(); });
  ASSERT_TRUE(eventually([&] { return clock->waiters() > 0; }));
  clock->advance(9s);
  ASSERT_TRUE(eventually([&] { return clock->waiters() > 0; }));
  EXPECT_FALSE(got.has_value());
  clock->advance(1s);
  worker.join();
  EXPECT_EQ(got, "a");
}

// Verifies that of two delays for the same item the earlier one wins and the item comes once.
TEST(WorkQueueTest, AddAfterKeepsEarliestDelay) {
  auto clock = std::make_shared<FakeClock>();
  WorkQueue queue(clock);
  queue.add_after("a", 10s);
  queue.add_after("a", 2s);
  queue.add_after("a", 5s);
  EXPECT_EQ(queue.delayed(), 1u);
  clock->advance(2s);
  EXPECT_EQ(queue.get(), "a");
  queue.done("a");
  clock->advance(10s);
  queue.shut_down();
  EXPECT_EQ(queue.get(), std::nullopt);
}

// Verifies that each failure of an item doubles its delay from 5 ms and forget() resets it.
TEST(RateLimitingQueueTest, PerItemExponentialBackoff) {
  auto clock = std::make_shared<FakeClock>();
  RateLimitingQueue queue(clock);
  queue.add_rate_limited("a");
  EXPECT_EQ(queue.num_requeues("a"), 1);
  clock->advance(4ms);
  EXPECT_EQ(queue.len(), 0u);
  queue.add("probe");
  ASSERT_EQ(queue.get(), "probe");
  queue.done("probe");
  clock->advance(1ms);
  ASSERT_EQ(queue.get(), "a");
  queue.done("a");

  queue.add_rate_limited("a");  // second failure: 10 ms
  clock->advance(9ms);
  queue.add("probe");
  ASSERT_EQ(queue.get(), "probe") << "a must not be due before 10 ms";
  queue.done("probe");
  clock->advance(1ms);
  ASSERT_EQ(queue.get(), "a");
  queue.done("a");

  queue.forget("a");
  EXPECT_EQ(queue.num_requeues("a"), 0);
}

// Verifies the per-item limiter doubles from 5 ms and stops at 1000 s.
TEST(RateLimiterTest, ItemExponentialIsCappedAt1000Seconds) {
  ItemExponentialRateLimiter limiter(5ms, 1000s);
  EXPECT_EQ(limiter.when("a"), 5ms);
  EXPECT_EQ(limiter.when("a"), 10ms);
  EXPECT_EQ(limiter.when("a"), 20ms);
  EXPECT_EQ(limiter.when("b"), 5ms) << "items back off independently";
  for (int i = 0; i < 100; ++i) limiter.when("a");
  EXPECT_EQ(limiter.when("a"), Duration(1000s));
  EXPECT_EQ(limiter.num_requeues("a"), 104);
}

// Verifies the default controller limiter lets a burst of 100 through, then paces at 10 qps.
TEST(RateLimiterTest, DefaultControllerLimiterHasGlobalBucket) {
  auto clock = std::make_shared<FakeClock>();
  auto limiter = default_controller_rate_limiter(clock);
  for (int i = 0; i < 100; ++i) {
    EXPECT_EQ(limiter->when("item-" + std::to_string(i)), 5ms) << i;
  }
  EXPECT_EQ(limiter->when("item-100"), 100ms);
  EXPECT_EQ(limiter->when("item-101"), 200ms);
  clock->advance(100ms);
  EXPECT_EQ(limiter->when("item-102"), 200ms) << "one token came back in 100 ms, two are owed";
  clock->advance(1s);
  EXPECT_EQ(limiter->when("item-103"), 5ms) << "the bucket refilled at 10 per second";
}

}  // namespace
}  // namespace castellan::kube
