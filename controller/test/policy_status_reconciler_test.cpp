#include "controller/policy_status_reconciler.h"

#include <gtest/gtest.h>

namespace castellan::controller {
namespace {

PolicyState state(int64_t generation, bool mutate) {
  PolicyState s;
  s.metadata.name = "p";
  s.metadata.generation = generation;
  api::SecurityPolicy good;
  good.metadata = s.metadata;
  good.spec.podSecurity.level = api::PodSecurityLevel::Baseline;
  good.spec.mutations.runAsNonRoot = mutate;
  s.last_good = good;
  return s;
}

// Verifies that a policy needing both webhooks is configured only when both serve its generation.
TEST(ObservePolicyTest, NeedsEveryConfigurationItUses) {
  PublishedWebhooks published;
  published.validating_generations["p"] = 2;
  auto observed = observe_policy(state(2, true), published);
  EXPECT_TRUE(observed.needs_webhook);
  EXPECT_FALSE(observed.configured_generation.has_value());
  published.mutating_generations["p"] = 2;
  EXPECT_EQ(observe_policy(state(2, true), published).configured_generation, 2);
  published.mutating_generations["p"] = 1;
  EXPECT_EQ(observe_policy(state(2, true), published).configured_generation, 1);
}

// Verifies that a never-valid policy is reported with its errors and needs no webhook.
TEST(ObservePolicyTest, InvalidPolicyCarriesErrors) {
  PolicyState s;
  s.metadata.name = "bad";
  s.errors = {"spec.mode: bad"};
  auto observed = observe_policy(s, {});
  EXPECT_EQ(observed.validation_errors.size(), 1u);
  EXPECT_FALSE(observed.last_good_generation.has_value());
}

}  // namespace
}  // namespace castellan::controller
