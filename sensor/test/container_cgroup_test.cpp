#include "sensor/container_cgroup.h"

#include <gtest/gtest.h>

namespace castellan::sensor {
namespace {

const std::string kId = "4f1c2b3a4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8";
const std::string kUid = "0d7e8a3c-1b2f-4c5d-9e8f-a1b2c3d4e5f6";
const std::string kUidSystemd = "0d7e8a3c_1b2f_4c5d_9e8f_a1b2c3d4e5f6";

// Verifies that the three runtimes' containerID forms parse and bad ones are named.
TEST(ContainerCgroup, ParsesContainerIds) {
  auto c = parse_container_id("containerd://" + kId);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->runtime, "containerd");
  EXPECT_EQ(c->id, kId);
  EXPECT_TRUE(parse_container_id("cri-o://" + kId).ok());
  EXPECT_TRUE(parse_container_id("docker://" + kId).ok());
  EXPECT_NE(parse_container_id("rkt://" + kId).error().message.find("\"rkt\" is not supported"),
            std::string::npos);
  EXPECT_FALSE(parse_container_id(kId).ok());
  EXPECT_FALSE(parse_container_id("containerd://abc").ok());
}

// Verifies that container ids are found for both cgroup drivers and all three runtimes.
TEST(ContainerCgroup, FindsContainerIdInEveryLayout) {
  const std::string systemd_pod = "/sys/fs/cgroup/kubepods.slice/kubepods-burstable.slice/"
                                  "kubepods-burstable-pod" + kUidSystemd + ".slice/";
  for (const std::string& path : {
           "/sys/fs/cgroup/kubepods/burstable/pod" + kUid + "/" + kId,
           "/sys/fs/cgroup/unified/kubepods/besteffort/pod" + kUid + "/crio-" + kId,
           systemd_pod + "cri-containerd-" + kId + ".scope",
           systemd_pod + "crio-" + kId + ".scope",
           systemd_pod + "docker-" + kId + ".scope",
           "/sys/fs/cgroup/docker/" + kId,
           "/sys/fs/cgroup/system.slice/docker-" + kId + ".scope/",
       }) {
    auto id = container_id_from_cgroup(path);
    ASSERT_TRUE(id.has_value()) << path;
    EXPECT_EQ(*id, kId) << path;
  }
}

// Verifies that pod slices, runtime helpers and ordinary cgroups are not taken for containers.
TEST(ContainerCgroup, IgnoresNonContainerCgroups) {
  EXPECT_FALSE(container_id_from_cgroup("/sys/fs/cgroup/kubepods/burstable/pod" + kUid));
  EXPECT_FALSE(container_id_from_cgroup("/kubepods.slice/crio-conmon-" + kId + ".scope"));
  EXPECT_FALSE(container_id_from_cgroup("/system.slice/ssh.service"));
  EXPECT_FALSE(container_id_from_cgroup("/user.slice/session-" + kId.substr(0, 8) + ".scope"));
}

// Verifies that pod UIDs are read from both drivers' pod cgroups, unescaping systemd's.
TEST(ContainerCgroup, FindsPodUid) {
  EXPECT_EQ(pod_uid_from_cgroup("/kubepods/burstable/pod" + kUid + "/" + kId), kUid);
  EXPECT_EQ(pod_uid_from_cgroup("/kubepods.slice/kubepods-pod" + kUidSystemd + ".slice/crio-" +
                                kId + ".scope"),
            kUid);
  EXPECT_FALSE(pod_uid_from_cgroup("/system.slice/docker-" + kId + ".scope"));
}

}  // namespace
}  // namespace castellan::sensor
