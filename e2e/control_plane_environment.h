#pragma once
// One shared control plane per test binary. Including this header registers it:
//   castellan::e2e::ControlPlaneEnvironment::control_plane().kubectl({"get", "ns"});
// If it cannot start, the binary fails with the reason and runs no test.

#include <gtest/gtest.h>

#include "e2e/control_plane.h"

namespace castellan::e2e {

class ControlPlaneEnvironment : public ::testing::Environment {
 public:
  // Valid between SetUp and TearDown, that is, inside every test.
  static ControlPlane& control_plane();

  void SetUp() override;
  void TearDown() override;
};

inline ::testing::Environment* const kControlPlaneEnvironment =
    ::testing::AddGlobalTestEnvironment(new ControlPlaneEnvironment);

}  // namespace castellan::e2e
