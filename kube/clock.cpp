#include "kube/clock.h"

namespace castellan::kube {

ClockPtr real_clock() {
  static const ClockPtr clock = std::make_shared<RealClock>();
  return clock;
}

}  // namespace castellan::kube
