#include "controller/sensor_fleet.h"

#include <gtest/gtest.h>

#include "api/conditions.h"
#include "controller/time_format.h"

namespace castellan::controller {
namespace {

const auto kNow = *parse_rfc3339("2026-01-01T00:01:00Z");
const std::string kHash = "sha256:" + std::string(64, 'a');
const std::string kOld = "sha256:" + std::string(64, 'b');

api::NodeSensor sensor(const std::string& node, const std::string& hash,
                       const std::string& heartbeat = "2026-01-01T00:00:55Z") {
  api::NodeSensor s;
  s.metadata.name = node;
  s.status.rulesetHash = hash;
  s.status.lastHeartbeatTime = heartbeat;
  s.status.heartbeatIntervalSeconds = 10;
  return s;
}

// Verifies that every sensor running the published ruleset makes the fleet synced.
TEST(SensorFleetTest, AllSynced) {
  auto fleet = observe_fleet({sensor("b", kHash), sensor("a", kHash)}, kHash, kNow);
  EXPECT_EQ(fleet.nodes_in_sync(), "2/2");
  EXPECT_EQ(fleet.sensors[0].node, "a");
  auto condition = sensors_synced(fleet);
  EXPECT_TRUE(condition.synced);
  EXPECT_EQ(condition.reason, "Synced");
}

// Verifies that a node that could not load the ruleset is named with its error, a node still
// on the old one and a silent node are named too, and healthy nodes count as synced.
TEST(SensorFleetTest, NamesEveryNodeOutOfSync) {
  auto failed = sensor("node-b", kOld);
  failed.status.failedRulesetHash = kHash;
  failed.status.rulesetError = "loading: Permission denied";
  auto fleet = observe_fleet({sensor("node-a", kHash), failed, sensor("node-c", kOld),
                              sensor("node-d", kHash, "2026-01-01T00:00:20Z")},
                             kHash, kNow);
  EXPECT_EQ(fleet.nodes_in_sync(), "1/4");
  auto condition = sensors_synced(fleet);
  EXPECT_FALSE(condition.synced);
  EXPECT_EQ(condition.reason, "SensorsNotReporting");
  EXPECT_NE(condition.message.find("1/4 sensors"), std::string::npos) << condition.message;
  EXPECT_NE(condition.message.find("node-b: could not load ruleset sha256:aaaaaaaaaaaa: loading: "
                                   "Permission denied"),
            std::string::npos)
      << condition.message;
  EXPECT_NE(condition.message.find("node-c: runs ruleset sha256:bbbbbbbbbbbb"), std::string::npos);
  EXPECT_NE(condition.message.find("node-d: the sensor stopped reporting (last heartbeat "
                                   "2026-01-01T00:00:20Z"),
            std::string::npos)
      << condition.message;
  EXPECT_EQ(condition.message.find("node-a"), std::string::npos);
  EXPECT_EQ(sensors_synced(fleet, 1).message.find("node-c"), std::string::npos);
  EXPECT_NE(sensors_synced(fleet, 1).message.find("and 2 more nodes"), std::string::npos);
}

// Verifies that a heartbeat counts as missed after three intervals, and without sensors the
// runtime rules run nowhere.
TEST(SensorFleetTest, HeartbeatsAndNoSensors) {
  EXPECT_FALSE(heartbeat_missed(sensor("a", kHash, "2026-01-01T00:00:31Z").status, kNow));
  EXPECT_TRUE(heartbeat_missed(sensor("a", kHash, "2026-01-01T00:00:29Z").status, kNow));
  EXPECT_TRUE(heartbeat_missed(sensor("a", kHash, "").status, kNow));
  auto none = sensors_synced(observe_fleet({}, kHash, kNow));
  EXPECT_FALSE(none.synced);
  EXPECT_EQ(none.reason, "NoSensors");
}

// Verifies that a silent sensor is marked not Ready once, keeping its other conditions.
TEST(SensorFleetTest, MarksSilentSensorOnce) {
  auto s = sensor("a", kHash, "2026-01-01T00:00:10Z");
  s.status.conditions = {{"Ready", "True", "Reporting", "", "t0", 0},
                         {"RulesetLoaded", "True", "Loaded", "", "t0", 0}};
  EXPECT_TRUE(mark_silent(s, "2026-01-01T00:01:00Z"));
  const auto* ready = api::find_condition(s.status.conditions, "Ready");
  EXPECT_EQ(ready->status, "False");
  EXPECT_EQ(ready->reason, "HeartbeatMissed");
  EXPECT_NE(ready->message.find("2026-01-01T00:00:10Z"), std::string::npos);
  EXPECT_TRUE(api::is_condition_true(s.status.conditions, "RulesetLoaded"));
  EXPECT_FALSE(mark_silent(s, "2026-01-01T00:02:00Z"));
}

}  // namespace
}  // namespace castellan::controller
