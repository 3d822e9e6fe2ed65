#include "sensor/node_sensor_reporter.h"

#include <gtest/gtest.h>

#include "api/conditions.h"
#include "kube/resources.h"
#include "kube/test/informer_fake_api_client.h"

namespace castellan::sensor {
namespace {

using kube::testing::FakeApiClient;
using nlohmann::json;

api::NodeSensorStatus status_at(const std::string& time, const std::string& loaded) {
  api::NodeSensorStatus status;
  status.rulesetHash = "sha256:aa";
  status.lastHeartbeatTime = time;
  status.heartbeatIntervalSeconds = 10;
  status.conditions = {{api::kSensorReadyCondition, "True", "Reporting", "Attached exec", "", 0},
                       {api::kRulesetLoadedCondition, loaded,
                        loaded == "True" ? "Loaded" : "LoadFailed", "m", "", 0}};
  return status;
}

json stored(FakeApiClient& api) {
  auto objects = api.stored("nodesensors");
  return objects.size() == 1 ? objects[0] : json();
}

std::string transition(const json& object, const std::string& type) {
  for (const auto& c : object["status"]["conditions"]) {
    if (c["type"] == type) return c.value("lastTransitionTime", "");
  }
  return "missing";
}

// Verifies that the NodeSensor is created, and that a condition's lastTransitionTime moves
// only when its status changes while the heartbeat moves on every report.
TEST(NodeSensorReporter, TransitionTimeMovesOnlyOnStatusChange) {
  auto api = std::make_shared<FakeApiClient>();
  NodeSensorReporter reporter(api, "n1");
  ASSERT_TRUE(reporter.report(status_at("2026-01-01T00:00:01Z", "True")).ok());
  ASSERT_TRUE(reporter.report(status_at("2026-01-01T00:00:11Z", "True")).ok());
  json object = stored(*api);
  EXPECT_EQ(object["metadata"]["name"], "n1");
  EXPECT_EQ(object["status"]["lastHeartbeatTime"], "2026-01-01T00:00:11Z");
  EXPECT_EQ(object["status"]["heartbeatIntervalSeconds"], 10);
  EXPECT_EQ(transition(object, "Ready"), "2026-01-01T00:00:01Z");
  EXPECT_EQ(transition(object, "RulesetLoaded"), "2026-01-01T00:00:01Z");

  ASSERT_TRUE(reporter.report(status_at("2026-01-01T00:00:21Z", "False")).ok());
  object = stored(*api);
  EXPECT_EQ(transition(object, "Ready"), "2026-01-01T00:00:01Z");
  EXPECT_EQ(transition(object, "RulesetLoaded"), "2026-01-01T00:00:21Z");
  EXPECT_EQ(object["status"]["conditions"].size(), 2u);
}

// Verifies that failedRulesetHash and rulesetError are removed from the object once a report
// leaves them empty (a merge patch would otherwise keep them).
TEST(NodeSensorReporter, ClearedFieldsAreRemoved) {
  auto api = std::make_shared<FakeApiClient>();
  NodeSensorReporter reporter(api, "n1");
  auto failed = status_at("2026-01-01T00:00:01Z", "False");
  failed.failedRulesetHash = "sha256:bb";
  failed.rulesetError = "more than 64 runtime rules are loaded";
  ASSERT_TRUE(reporter.report(failed).ok());
  EXPECT_EQ(stored(*api)["status"]["failedRulesetHash"], "sha256:bb");
  EXPECT_EQ(stored(*api)["status"]["rulesetError"], "more than 64 runtime rules are loaded");
  ASSERT_TRUE(reporter.report(status_at("2026-01-01T00:00:02Z", "True")).ok());
  json object = stored(*api);
  EXPECT_FALSE(object["status"].contains("failedRulesetHash")) << object.dump();
  EXPECT_FALSE(object["status"].contains("rulesetError")) << object.dump();
  EXPECT_EQ(object["status"]["rulesetHash"], "sha256:aa");
}

// Verifies that a restarted sensor keeps the transition times found on its NodeSensor.
TEST(NodeSensorReporter, RestartKeepsTransitionTimes) {
  auto api = std::make_shared<FakeApiClient>();
  api->put(kube::kNodeSensors, "",
           {{"apiVersion", "castellan.io/v1alpha1"},
            {"kind", "NodeSensor"},
            {"metadata", {{"name", "n1"}}},
            {"status",
             {{"conditions",
               {{{"type", "Ready"},
                 {"status", "True"},
                 {"reason", "Reporting"},
                 {"lastTransitionTime", "2025-12-31T00:00:00Z"}}}}}}});
  NodeSensorReporter reporter(api, "n1");
  ASSERT_TRUE(reporter.report(status_at("2026-01-01T00:00:05Z", "True")).ok());
  json object = stored(*api);
  EXPECT_EQ(transition(object, "Ready"), "2025-12-31T00:00:00Z");
  EXPECT_EQ(transition(object, "RulesetLoaded"), "2026-01-01T00:00:05Z");
  EXPECT_EQ(api->creates.load(), 0);
}

// Verifies that the status and each condition carry the NodeSensor's metadata.generation as
// their observedGeneration, as kstatus and Argo CD's health check read them.
TEST(NodeSensorReporter, StatusCarriesObservedGeneration) {
  auto api = std::make_shared<FakeApiClient>();
  api->put(kube::kNodeSensors, "",
           {{"apiVersion", "castellan.io/v1alpha1"},
            {"kind", "NodeSensor"},
            {"metadata", {{"name", "n1"}, {"generation", 2}}}});
  NodeSensorReporter reporter(api, "n1");
  ASSERT_TRUE(reporter.report(status_at("2026-01-01T00:00:05Z", "True")).ok());
  json object = stored(*api);
  EXPECT_EQ(object["status"]["observedGeneration"], 2) << object.dump();
  ASSERT_EQ(object["status"]["conditions"].size(), 2u);
  for (const auto& c : object["status"]["conditions"]) {
    EXPECT_EQ(c.value("observedGeneration", 0), 2) << c.dump();
  }
}

const api::Condition& get(const std::vector<api::Condition>& conditions, const char* type) {
  static const api::Condition missing{};
  const auto* c = api::find_condition(conditions, type);
  return c ? *c : missing;
}

// Verifies that a loaded ruleset gives Ready (naming the programs) and RulesetLoaded True.
TEST(NodeSensorConditions, LoadedRulesetIsReadyAndLoaded) {
  api::NodeSensorStatus status;
  status.rulesetHash = "sha256:aa";
  status.programsAttached = {"sched_process_exec", "sys_enter_openat"};
  auto conditions = node_sensor_conditions(status);
  ASSERT_EQ(conditions.size(), 2u);
  const auto& ready = get(conditions, api::kSensorReadyCondition);
  EXPECT_EQ(ready.status, "True");
  EXPECT_EQ(ready.reason, "Reporting");
  EXPECT_EQ(ready.message, "Attached BPF programs: sched_process_exec, sys_enter_openat");
  const auto& loaded = get(conditions, api::kRulesetLoadedCondition);
  EXPECT_EQ(loaded.status, "True");
  EXPECT_EQ(loaded.reason, "Loaded");
  EXPECT_EQ(loaded.message, "Loaded ruleset sha256:aa");

  status.programsAttached.clear();
  conditions = node_sensor_conditions(status);
  EXPECT_EQ(get(conditions, api::kSensorReadyCondition).message,
            "No runtime rule applies; no BPF programs attached");
}

// Verifies that a ruleset that failed to load makes RulesetLoaded False, naming the failed
// hash, the error and the ruleset still running, while Ready stays True.
TEST(NodeSensorConditions, FailedRulesetIsNotLoaded) {
  api::NodeSensorStatus status;
  status.rulesetHash = "sha256:aa";
  status.failedRulesetHash = "sha256:bb";
  status.rulesetError = "more than 64 runtime rules are loaded";
  status.programsAttached = {"sched_process_exec"};
  auto conditions = node_sensor_conditions(status);
  EXPECT_EQ(get(conditions, api::kSensorReadyCondition).status, "True");
  const auto& loaded = get(conditions, api::kRulesetLoadedCondition);
  EXPECT_EQ(loaded.status, "False");
  EXPECT_EQ(loaded.reason, "LoadFailed");
  EXPECT_EQ(loaded.message,
            "Ruleset sha256:bb failed to load: more than 64 runtime rules are loaded; running "
            "ruleset sha256:aa");
}

// Verifies that a missing ruleset ConfigMap makes RulesetLoaded False with reason NotFound.
TEST(NodeSensorConditions, MissingConfigMapIsNotFound) {
  auto conditions = node_sensor_conditions(api::NodeSensorStatus{}, "castellan-system/rules");
  const auto& loaded = get(conditions, api::kRulesetLoadedCondition);
  EXPECT_EQ(loaded.status, "False");
  EXPECT_EQ(loaded.reason, "NotFound");
  EXPECT_EQ(loaded.message,
            "Runtime ruleset ConfigMap castellan-system/rules not found; running no ruleset");
}

}  // namespace
}  // namespace castellan::sensor
