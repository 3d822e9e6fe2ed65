#pragma once
// One shared control plane per test binary. Including this header registers it:
//   castellan::e2e::ControlPlaneEnvironment::control_plane().kubectl({"get", "ns"});
// If it cannot start, the binary fails with the reason and runs no test.
// CASTELLAN_E2E_APISERVER_ARGS (space-separated) adds kube-apiserver flags, e.g.
// "--watch-cache=false" for tests that need etcd compaction to reach watchers at once.

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
