#pragma once
// Clock: the time seam of the client's higher layers (reflector, work queue, leader election,
// events), so that unit tests drive time by hand (FakeClock) instead of sleeping.

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>

namespace castellan::kube {

using Duration = std::chrono::steady_clock::duration;
using TimePoint = std::chrono::steady_clock::time_point;
using WallTime = std::chrono::system_clock::time_point;

class Clock {
 public:
  virtual ~Clock() = default;

  // Monotonic time, for deadlines and intervals.
  virtual TimePoint now() const = 0;
  // Calendar time, for timestamps written to the API (Lease renewTime, Event lastTimestamp).
  virtual WallTime wall_now() const = 0;
  // Blocks (with `lock` released) until `deadline` on this clock, a notification of `cv`, or a
  // spurious wake-up. Callers re-check their own condition in a loop.
  virtual void wait_until(std::unique_lock<std::mutex>& lock, std::condition_variable& cv,
                          TimePoint deadline) = 0;
};

using ClockPtr = std::shared_ptr<Clock>;

class RealClock : public Clock {
 public:
  TimePoint now() const override { return std::chrono::steady_clock::now(); }
  WallTime wall_now() const override { return std::chrono::system_clock::now(); }
  void wait_until(std::unique_lock<std::mutex>& lock, std::condition_variable& cv,
                  TimePoint deadline) override {
    cv.wait_until(lock, deadline);
  }
};

// The process-wide real clock.
ClockPtr real_clock();

}  // namespace castellan::kube
