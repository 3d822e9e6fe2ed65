#pragma once
// One real node per test binary: Castellan's images pushed to the local registry
// (scripts/images.sh push) and a kubelet + containerd node with its control plane
// (e2e/node.sh up), torn down again at the end. Including this header registers it.
// A node that already runs (`e2e/node.sh status` says Ready) is used and left running; so is a
// registry that already answered. What SetUp started, TearDown stops.
// Tests call NodeEnvironment::skip_reason() first: not root, or the node did not come up.

#include <gtest/gtest.h>

#include <string>

#include "e2e/kubectl.h"

namespace castellan::e2e {

class NodeEnvironment : public ::testing::Environment {
 public:
  // Valid between SetUp and TearDown when skip_reason() is empty.
  static const Kubectl& kubectl();
  static const std::string& node_name();
  // Empty when the node is up; otherwise why the tests cannot run.
  static const std::string& skip_reason();
  // The repository root this binary was compiled in.
  static std::string source_dir();

  void SetUp() override;
  void TearDown() override;
};

inline ::testing::Environment* const kNodeEnvironment =
    ::testing::AddGlobalTestEnvironment(new NodeEnvironment);

}  // namespace castellan::e2e
