#include "policy/container_rules.h"

#include <gtest/gtest.h>

namespace castellan::policy {
namespace {

using nlohmann::json;

json limited(const std::string& name) {
  return {{"name", name},
          {"image", "nginx:1"},
          {"resources", {{"limits", {{"cpu", "500m"}, {"memory", "128Mi"}}}}},
          {"securityContext", {{"readOnlyRootFilesystem", true}}}};
}

api::ContainerRules both() { return {true, true}; }

// Verifies that containers with cpu and memory limits and a read-only root pass.
TEST(ContainerRulesTest, CompliantContainersPass) {
  const json spec = {{"containers", {limited("a"), limited("b")}}, {"initContainers", {limited("i")}}};
  EXPECT_TRUE(check_container_rules(both(), spec, "").empty());
}

// Verifies that a missing memory limit is reported with the container and the field to set.
TEST(ContainerRulesTest, MissingMemoryLimit) {
  json c = limited("app");
  c["resources"]["limits"].erase("memory");
  const auto vs = check_container_rules({true, false}, {{"containers", {c}}}, "");
  ASSERT_EQ(vs.size(), 1u);
  EXPECT_EQ(vs[0].rule, "containers.requireResourceLimits");
  EXPECT_EQ(vs[0].field, "spec.containers[0].resources.limits");
  EXPECT_NE(vs[0].message.find("container \"app\" has no memory limit"), std::string::npos);
  EXPECT_NE(vs[0].message.find("spec.containers[0].resources.limits.memory"), std::string::npos);
  EXPECT_EQ(vs[0].message.find(".cpu"), std::string::npos);
}

// Verifies that requests alone do not count as limits, and init containers are checked.
TEST(ContainerRulesTest, RequestsAreNotLimits) {
  json c = limited("init");
  c["resources"] = {{"requests", {{"cpu", "1"}, {"memory", "1Gi"}}}};
  const auto vs = check_container_rules({true, false},
                                        {{"containers", {limited("a")}}, {"initContainers", {c}}},
                                        "spec.template.");
  ASSERT_EQ(vs.size(), 1u);
  EXPECT_EQ(vs[0].field, "spec.template.spec.initContainers[0].resources.limits");
  EXPECT_NE(vs[0].message.find("cpu and memory"), std::string::npos);
}

// Verifies that ephemeral containers are exempt from limits but not from the read-only root.
TEST(ContainerRulesTest, EphemeralContainers) {
  const json spec = {{"containers", {limited("a")}},
                     {"ephemeralContainers", {{{"name", "debug"}, {"image", "busybox:1"}}}}};
  const auto vs = check_container_rules(both(), spec, "");
  ASSERT_EQ(vs.size(), 1u);
  EXPECT_EQ(vs[0].rule, "containers.requireReadOnlyRootFilesystem");
  EXPECT_EQ(vs[0].field, "spec.ephemeralContainers[0].securityContext.readOnlyRootFilesystem");
}

// Verifies that readOnlyRootFilesystem false, absent or mistyped all fail.
TEST(ContainerRulesTest, ReadOnlyRootMustBeTrue) {
  json f = limited("f");
  f["securityContext"]["readOnlyRootFilesystem"] = false;
  json s = limited("s");
  s["securityContext"]["readOnlyRootFilesystem"] = "true";
  json n = limited("n");
  n.erase("securityContext");
  const auto vs = check_container_rules({false, true}, {{"containers", {f, s, n}}}, "");
  ASSERT_EQ(vs.size(), 3u);
  EXPECT_NE(vs[2].message.find("container \"n\""), std::string::npos);
  EXPECT_NE(vs[2].message.find("to true"), std::string::npos);
}

// Verifies that no rules means no violations, even for a bare container.
TEST(ContainerRulesTest, DisabledRulesCheckNothing) {
  EXPECT_TRUE(check_container_rules({}, {{"containers", {{{"name", "x"}}}}}, "").empty());
}

}  // namespace
}  // namespace castellan::policy
