// Walks real cgroup v2 directories named as kubelets name them (needs root to create them).
#include "sensor/container_index.h"

#include <gtest/gtest.h>

#include "bpf_test_support.h"

namespace castellan::sensor {
namespace {

const std::string kA = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
const std::string kB = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";

// Verifies that containers of both cgroup drivers are indexed by id with their cgroup ids.
TEST(ContainerIndex, IndexesKubeletCgroupsOfBothDrivers) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root";
  testing::CgroupSandbox sandbox;
  ASSERT_TRUE(sandbox.ok());
  auto root = sandbox.make("kubepods");
  sandbox.make("kubepods/burstable");
  sandbox.make("kubepods/burstable/pod0d7e8a3c-1b2f-4c5d-9e8f-a1b2c3d4e5f6");
  auto a = sandbox.make("kubepods/burstable/pod0d7e8a3c-1b2f-4c5d-9e8f-a1b2c3d4e5f6/" + kA);
  sandbox.make("kubepods/kubepods-pod0d7e8a3c_1b2f_4c5d_9e8f_a1b2c3d4e5f7.slice");
  auto b = sandbox.make("kubepods/kubepods-pod0d7e8a3c_1b2f_4c5d_9e8f_a1b2c3d4e5f7.slice/crio-" +
                        kB + ".scope");
  sandbox.make("kubepods/kubepods-pod0d7e8a3c_1b2f_4c5d_9e8f_a1b2c3d4e5f7.slice/crio-conmon-" +
               kB + ".scope");

  auto index = ContainerIndex::scan(sandbox.mount(), root.path);
  ASSERT_TRUE(index.ok()) << index.error().message;
  EXPECT_EQ(index->size(), 2u);
  ASSERT_TRUE(index->find(kA).has_value());
  EXPECT_EQ(index->find(kA)->id, a.id);
  ASSERT_TRUE(index->find(kB).has_value());
  EXPECT_EQ(index->find(kB)->id, b.id);
  EXPECT_EQ(index->find(kB)->path, b.path);
  EXPECT_FALSE(index->find(std::string(64, 'c')).has_value());
}

// Verifies that a missing root is an error that names it.
TEST(ContainerIndex, MissingRootIsAnError) {
  auto index = ContainerIndex::scan("/sys/fs/cgroup", "/nonexistent/kubepods");
  ASSERT_FALSE(index.ok());
  EXPECT_NE(index.error().message.find("/nonexistent/kubepods"), std::string::npos);
}

}  // namespace
}  // namespace castellan::sensor
