#include "api/node_sensor_codec.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace castellan::api {
namespace {

using nlohmann::json;
using ::testing::Contains;

// Verifies that a sensor's status survives to_json and decode_node_sensor unchanged.
TEST(NodeSensorCodec, RoundTripsTheStatus) {
  NodeSensor sensor;
  sensor.metadata.name = "node-1";
  sensor.status.observedGeneration = 1;
  sensor.status.kernel = "6.18.0";
  sensor.status.btf = true;
  sensor.status.programsAttached = {"sched_process_exec", "sys_enter_connect"};
  sensor.status.rulesetHash = "abc123";
  sensor.status.eventsSeen = 1000;
  sensor.status.eventsDropped = 3;
  sensor.status.alerts = 7;
  sensor.status.killed = 1;
  sensor.status.lastHeartbeatTime = "2026-01-01T00:00:00Z";
  sensor.status.conditions.push_back({"Ready", "True", "Attached", "", "2026-01-01T00:00:00Z", 0});
  json object = to_json(sensor);
  EXPECT_EQ(object["apiVersion"], "castellan.io/v1alpha1");
  EXPECT_EQ(object["kind"], "NodeSensor");
  EXPECT_EQ(object["status"]["eventsDropped"], 3);
  EXPECT_EQ(object["status"]["observedGeneration"], 1);
  EXPECT_EQ(object["status"]["programsAttached"][1], "sys_enter_connect");

  auto decoded = decode_node_sensor(object);
  ASSERT_TRUE(decoded.ok()) << join(decoded.errors);
  EXPECT_EQ(decoded.value.metadata.name, "node-1");
  EXPECT_EQ(to_json(decoded.value.status), object["status"]);
}

// Verifies empty strings are left out of the status body rather than sent as "".
TEST(NodeSensorCodec, OmitsEmptyStrings) {
  NodeSensorStatus status;
  status.kernel = "6.18.0";
  status.conditions.push_back({"Ready", "True", "Attached", "", "2026-01-01T00:00:00Z", 0});
  json j = to_json(status);
  EXPECT_EQ(j["kernel"], "6.18.0");
  EXPECT_FALSE(j.contains("lastError"));
  EXPECT_FALSE(j.contains("rulesetHash"));
  EXPECT_FALSE(j["conditions"][0].contains("message"));
  EXPECT_EQ(j["conditions"][0]["reason"], "Attached");
}

// Verifies wrong types and a bad envelope are reported with their paths.
TEST(NodeSensorCodec, ReportsWrongTypesWithPaths) {
  auto decoded = decode_node_sensor(json::parse(R"({
    "apiVersion": "castellan.io/v1alpha1", "kind": "NodeSensor", "metadata": {"name": "Node_1"},
    "status": {"eventsSeen": "many", "btf": 1, "conditions": [{"type": 5}]}})"));
  std::vector<std::string> m;
  for (const auto& e : decoded.errors) m.push_back(e.str());
  EXPECT_THAT(m, Contains("status.eventsSeen: must be an integer, got string \"many\""));
  EXPECT_THAT(m, Contains("status.btf: must be a boolean (true or false), got number 1"));
  EXPECT_THAT(m, Contains("status.conditions[0].type: must be a string, got number 5"));
  EXPECT_THAT(m, Contains(::testing::HasSubstr("metadata.name: \"Node_1\" is not a valid name")));
  EXPECT_THAT(decode_node_sensor(json::parse(R"({"apiVersion": "v1", "kind": "Node",
      "metadata": {"name": "n"}})"))
                  .errors.size(),
              2u);
}

}  // namespace
}  // namespace castellan::api
