#include "sensor/pod_containers.h"

#include <gtest/gtest.h>

namespace castellan::sensor {
namespace {

const std::string kA = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
const std::string kB = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";

nlohmann::json pod() {
  return {{"metadata", {{"name", "web"}, {"namespace", "prod"}, {"uid", "u-1"}}},
          {"spec", {{"nodeName", "node-1"}}},
          {"status",
           {{"initContainerStatuses", {{{"name", "init"}, {"containerID", "cri-o://" + kB}}}},
            {"containerStatuses",
             {{{"name", "app"}, {"containerID", "containerd://" + kA}},
              {{"name", "pending"}}}}}}};
}

// Verifies that started containers of every kind are listed with runtime and id; containers
// not started yet are left out.
TEST(PodContainers, ListsStartedContainers) {
  auto p = pod_containers_from_json(pod());
  ASSERT_TRUE(p.ok()) << p.error().message;
  EXPECT_EQ(p->namespace_, "prod");
  EXPECT_EQ(p->name, "web");
  EXPECT_EQ(p->node_name, "node-1");
  ASSERT_EQ(p->containers.size(), 2u);
  EXPECT_EQ(p->containers[0].name, "init");
  EXPECT_EQ(p->containers[0].ref.runtime, "cri-o");
  EXPECT_EQ(p->containers[1].ref.id, kA);
}

// Verifies that a malformed containerID is an error naming the Pod and the field.
TEST(PodContainers, NamesTheBadField) {
  auto j = pod();
  j["status"]["containerStatuses"][0]["containerID"] = "containerd://nothex";
  auto p = pod_containers_from_json(j);
  ASSERT_FALSE(p.ok());
  EXPECT_NE(p.error().message.find("Pod prod/web: status.containerStatuses[0].containerID"),
            std::string::npos)
      << p.error().message;
  EXPECT_FALSE(pod_containers_from_json(nlohmann::json::array()).ok());
  EXPECT_FALSE(pod_containers_from_json({{"metadata", {{"name", "x"}}}}).ok());
}

}  // namespace
}  // namespace castellan::sensor
