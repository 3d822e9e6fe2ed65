#include "sensor/watch_transforms.h"

#include <gtest/gtest.h>

#include "sensor/pod_containers.h"

namespace castellan::sensor {
namespace {

const char* kId = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

nlohmann::json full_pod() {
  return {{"apiVersion", "v1"},
          {"kind", "Pod"},
          {"metadata", {{"name", "web"}, {"namespace", "prod"}, {"uid", "u-1"}, {"resourceVersion", "7"},
                        {"labels", {{"app", "web"}}}, {"annotations", {{"big", std::string(4096, 'x')}}},
                        {"managedFields", nlohmann::json::array({{{"manager", "kubectl"}}})}}},
          {"spec", {{"nodeName", "n1"}, {"containers", {{{"name", "c"}, {"image", "nginx"}}}}}},
          {"status", {{"phase", "Running"},
                      {"containerStatuses", {{{"name", "c"}, {"containerID", std::string("containerd://") + kId},
                                              {"image", "nginx"}, {"state", {{"running", nlohmann::json::object()}}}}}}}}};
}

// Verifies that a slimmed Pod drops annotations, managed fields and the spec but keeps what
// node mode reads: the same namespace, name, labels and started containers.
TEST(WatchTransforms, SlimPodKeepsWhatNodeModeReads) {
  auto slim = slim_pod(full_pod());
  EXPECT_FALSE(slim["metadata"].contains("annotations"));
  EXPECT_FALSE(slim["metadata"].contains("managedFields"));
  EXPECT_FALSE(slim["spec"].contains("containers"));
  EXPECT_EQ(slim["metadata"]["labels"], full_pod()["metadata"]["labels"]);
  EXPECT_EQ(slim["metadata"]["resourceVersion"], "7");
  EXPECT_LT(slim.dump().size(), full_pod().dump().size() / 4);
  auto from_full = pod_containers_from_json(full_pod());
  auto from_slim = pod_containers_from_json(slim);
  ASSERT_TRUE(from_full.ok() && from_slim.ok());
  ASSERT_EQ(from_slim->containers.size(), 1u);
  EXPECT_EQ(from_slim->containers[0].ref.id, from_full->containers[0].ref.id);
  EXPECT_EQ(from_slim->uid, "u-1");
  EXPECT_EQ(from_slim->node_name, "n1");
}

// Verifies that a slimmed Namespace keeps its name and labels only.
TEST(WatchTransforms, SlimNamespaceKeepsNameAndLabels) {
  nlohmann::json ns = {{"metadata", {{"name", "prod"}, {"uid", "x"}, {"labels", {{"team", "a"}}},
                                     {"annotations", {{"a", "b"}}}}},
                       {"spec", {{"finalizers", {"kubernetes"}}}}};
  auto slim = slim_namespace(ns);
  EXPECT_EQ(slim, (nlohmann::json{{"metadata", {{"name", "prod"}, {"labels", {{"team", "a"}}}}}}));
}

}  // namespace
}  // namespace castellan::sensor
