#pragma once
// FakeClock: time moves only when a test calls advance(). Waiters poll the fake time in short
// real-time slices, so a notification can never be lost between a check and a wait.

#include <set>

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
    std::multiset<TimePoint>::iterator entry;
    {
      std::lock_guard<std::mutex> guard(mu_);
      if (now_ >= deadline) return;
      entry = deadlines_.insert(deadline);
    }
    cv.wait_for(lock, std::chrono::milliseconds(1));
    std::lock_guard<std::mutex> guard(mu_);
    deadlines_.erase(entry);
  }

  void advance(Duration d) {
    std::lock_guard<std::mutex> lock(mu_);
    now_ += d;
    wall_ += std::chrono::duration_cast<WallTime::duration>(d);
  }
  // Threads blocked in wait_until on a deadline still in the future: a test's sign that a loop
  // has done its work for the current time and gone back to sleep.
  int waiters() const {
    std::lock_guard<std::mutex> lock(mu_);
    int n = 0;
    for (auto it = deadlines_.upper_bound(now_); it != deadlines_.end(); ++it) ++n;
    return n;
  }

 private:
  mutable std::mutex mu_;
  TimePoint now_;
  WallTime wall_;
  std::multiset<TimePoint> deadlines_;
};

using FakeClockPtr = std::shared_ptr<FakeClock>;

}  // namespace castellan::kube
