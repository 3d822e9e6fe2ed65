#include "controller/policy_status.h"

#include <gtest/gtest.h>

#include "api/conditions.h"

namespace castellan::controller {
namespace {

api::SecurityPolicy policy(int64_t generation) {
  api::SecurityPolicy p;
  p.metadata.name = "p";
  p.metadata.generation = generation;
  p.spec.mode = api::Mode::Enforce;
  return p;
}

// Verifies that a valid, configured policy is Ready with observedGeneration everywhere.
TEST(PolicyStatusTest, ValidConfiguredPolicyIsReady) {
  auto p = policy(3);
  EXPECT_TRUE(update_policy_conditions(p, {{}, 3, true, std::nullopt, false, std::nullopt}, "t1"));
  EXPECT_EQ(p.status.observedGeneration, 3);
  EXPECT_TRUE(api::is_condition_true(p.status.conditions, "Ready"));
  EXPECT_TRUE(api::is_condition_true(p.status.conditions, "WebhookConfigured"));
  EXPECT_FALSE(api::is_condition_true(p.status.conditions, "Degraded"));
  for (const auto& c : p.status.conditions) EXPECT_EQ(c.observedGeneration, 3) << c.type;
  EXPECT_NE(api::find_condition(p.status.conditions, "Ready")->message.find("Enforce"),
            std::string::npos);
}

// Verifies that a policy waits for the webhook configurations to carry its generation.
TEST(PolicyStatusTest, NotReadyUntilWebhookServesGeneration) {
  auto p = policy(4);
  update_policy_conditions(p, {{}, 3, true, std::nullopt, false, std::nullopt}, "t1");
  EXPECT_FALSE(api::is_condition_true(p.status.conditions, "Ready"));
  EXPECT_EQ(api::find_condition(p.status.conditions, "WebhookConfigured")->reason, "Pending");
}

// Verifies that an invalid spec reports its field errors and the generation still enforced.
TEST(PolicyStatusTest, InvalidSpecIsReportedWithFieldPaths) {
  auto p = policy(5);
  update_policy_conditions(
      p, {{"spec.mode: \"Block\" is not one of Enforce, Audit, Warn"}, 4, true, 4, false, std::nullopt}, "t1");
  const auto* ready = api::find_condition(p.status.conditions, "Ready");
  ASSERT_NE(ready, nullptr);
  EXPECT_EQ(ready->status, "False");
  EXPECT_EQ(ready->reason, "InvalidSpec");
  EXPECT_NE(ready->message.find("spec.mode"), std::string::npos);
  const auto* degraded = api::find_condition(p.status.conditions, "Degraded");
  EXPECT_EQ(degraded->status, "True");
  EXPECT_NE(degraded->message.find("generation 4 is still enforced"), std::string::npos);
}

// Verifies that a second identical reconcile changes nothing, so no status write follows.
TEST(PolicyStatusTest, IdempotentWhenNothingChanged) {
  auto p = policy(2);
  update_policy_conditions(p, {{}, 2, true, std::nullopt, false, std::nullopt}, "t1");
  EXPECT_FALSE(update_policy_conditions(p, {{}, 2, true, std::nullopt, false, std::nullopt}, "t2"));
}

// Verifies that a runtime-only policy needs no webhook and is Ready at once.
TEST(PolicyStatusTest, RuntimeOnlyPolicyIsReadyWithoutWebhook) {
  auto p = policy(1);
  update_policy_conditions(p, {{}, std::nullopt, false, std::nullopt, false, std::nullopt}, "t1");
  EXPECT_TRUE(api::is_condition_true(p.status.conditions, "Ready"));
  EXPECT_EQ(api::find_condition(p.status.conditions, "WebhookConfigured")->reason, "NotNeeded");
}

// Verifies SensorsSynced: not needed without runtime rules, as observed with them, and left
// as it was when the sensors could not be observed this time.
TEST(PolicyStatusTest, SensorsSyncedFollowsTheFleet) {
  auto p = policy(1);
  update_policy_conditions(p, {{}, 1, true, std::nullopt, false, std::nullopt}, "t1");
  EXPECT_EQ(api::find_condition(p.status.conditions, "SensorsSynced")->reason, "NotNeeded");

  PolicyObservation observed{{}, 1, true, std::nullopt, true,
                             SensorsSyncedCondition{false, "NotSynced", "1/2 sensors; node-b: x"}};
  EXPECT_TRUE(update_policy_conditions(p, observed, "t2"));
  const auto* synced = api::find_condition(p.status.conditions, "SensorsSynced");
  EXPECT_EQ(synced->status, "False");
  EXPECT_EQ(synced->message, "1/2 sensors; node-b: x");
  EXPECT_EQ(synced->lastTransitionTime, "t2");

  observed.sensors.reset();
  EXPECT_FALSE(update_policy_conditions(p, observed, "t3"));
  EXPECT_EQ(api::find_condition(p.status.conditions, "SensorsSynced")->status, "False");
}

}  // namespace
}  // namespace castellan::controller
