#include "api/runtime_violation.h"

#include <gtest/gtest.h>

namespace castellan::api {
namespace {

using nlohmann::json;

json event() {
  return json::parse(R"({
    "metadata": {"name": "web.1", "namespace": "prod", "uid": "e-1",
                 "annotations": {"castellan.io/policy": "runtime-threats",
                                 "castellan.io/rule": "shell-in-container",
                                 "castellan.io/action": "Kill",
                                 "castellan.io/node": "node-a",
                                 "castellan.io/container-id": "abc"}},
    "involvedObject": {"kind": "Pod", "namespace": "prod", "name": "web", "uid": "p-1"},
    "reason": "RuntimeViolation", "message": "exec of /bin/sh", "count": 4,
    "firstTimestamp": "2026-01-01T00:00:00Z", "lastTimestamp": "2026-01-01T00:00:09Z",
    "source": {"component": "castellan-sensor", "host": "node-b"}})");
}

// Verifies that every field the controller acts on is read from a sensor's Event.
TEST(RuntimeViolationTest, DecodesSensorEvent) {
  auto decoded = decode_runtime_violation(event());
  ASSERT_TRUE(decoded.ok()) << decoded.error().message;
  EXPECT_EQ(decoded->uid, "e-1");
  EXPECT_EQ(decoded->pod_namespace, "prod");
  EXPECT_EQ(decoded->pod, "web");
  EXPECT_EQ(decoded->pod_uid, "p-1");
  EXPECT_EQ(decoded->policy, "runtime-threats");
  EXPECT_EQ(decoded->rule, "shell-in-container");
  EXPECT_TRUE(decoded->killed);
  EXPECT_EQ(decoded->node, "node-a");
  EXPECT_EQ(decoded->container_id, "abc");
  EXPECT_EQ(decoded->count, 4);
  EXPECT_EQ(decoded->last_time, "2026-01-01T00:00:09Z");
  EXPECT_EQ(decoded->message, "exec of /bin/sh");
}

// Verifies that the detail drops only the sensor's own policy and rule prefix.
TEST(RuntimeViolationTest, DetailDropsThePolicyAndRulePrefix) {
  auto decoded = decode_runtime_violation(event());
  ASSERT_TRUE(decoded.ok());
  decoded->message =
      "SecurityPolicy runtime-threats rule shell-in-container: exec of /bin/sh; process killed";
  EXPECT_EQ(violation_detail(*decoded), "exec of /bin/sh; process killed");
  decoded->message = "SecurityPolicy other rule shell-in-container: exec of /bin/sh";
  EXPECT_EQ(violation_detail(*decoded), decoded->message);
}

// Verifies that the node falls back to source.host and a missing count means one alert.
TEST(RuntimeViolationTest, FallsBackToSourceHostAndCountOne) {
  auto e = event();
  e["metadata"]["annotations"].erase("castellan.io/node");
  e["metadata"]["annotations"]["castellan.io/action"] = "Alert";
  e.erase("count");
  e.erase("lastTimestamp");
  auto decoded = decode_runtime_violation(e);
  ASSERT_TRUE(decoded.ok()) << decoded.error().message;
  EXPECT_EQ(decoded->node, "node-b");
  EXPECT_FALSE(decoded->killed);
  EXPECT_EQ(decoded->count, 1);
  EXPECT_EQ(decoded->last_time, "2026-01-01T00:00:00Z");
}

// Verifies that Events that are not a sensor's RuntimeViolation are refused with a reason.
TEST(RuntimeViolationTest, RefusesOtherEvents) {
  auto other = event();
  other["reason"] = "Killing";
  EXPECT_FALSE(decode_runtime_violation(other).ok());
  auto unannotated = event();
  unannotated["metadata"].erase("annotations");
  auto decoded = decode_runtime_violation(unannotated);
  ASSERT_FALSE(decoded.ok());
  EXPECT_NE(decoded.error().message.find("castellan.io/policy"), std::string::npos);
  EXPECT_FALSE(decode_runtime_violation(json::array()).ok());
}

}  // namespace
}  // namespace castellan::api
