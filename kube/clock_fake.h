#pragma once
// FakeClock: time moves only when a test calls advance(). Waiters poll the fake time in short
// real-time slices, so a notification can never be lost between a check and a wait.

#include <atomic>
#include <thread>

#include "kube/clock.h"

namespace castellan::kube {

class FakeClock : public Clock {
 public:
  FakeClock() : now_(TimePoint{} + std::chrono::hours(1)), wall_(WallTime{} + std::chrono::hours(24 * 365 * 56)) {}

  TimePoint now() const override {
    std::lock_guard<std::mutex> lock(mu_);
    return now_;
  }
  WallTime wall_now() const override {
    std::lock_guard<std::mutex> lock(mu_);
    return wall_;
  }
  void wait_until(std::unique_lock<std::mutex>& lock, std::condition_variable& cv,
                  TimePoint deadline) override {
    if (now() >= deadline) return;
    ++waiters_;
    cv.wait_for(lock, std::chrono::milliseconds(1));
    --waiters_;
  }

  void advance(Duration d) {
    std::lock_guard<std::mutex> lock(mu_);
    now_ += d;
    wall_ += std::chrono::duration_cast<WallTime::duration>(d);
  }
  // Number of threads currently blocked in wait_until (a test's sign that a loop went to sleep).
  int waiters() const { return waiters_.load(); }

 private:
  mutable std::mutex mu_;
  TimePoint now_;
  WallTime wall_;
  std::atomic<int> waiters_{0};
};

using FakeClockPtr = std::shared_ptr<FakeClock>;

}  // namespace castellan::kube
