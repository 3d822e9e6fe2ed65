#include "controller/policy_set.h"

#include <gtest/gtest.h>

namespace castellan::controller {
namespace {

using nlohmann::json;

json policy(const std::string& name, int generation, const std::string& mode) {
  return {{"apiVersion", "castellan.io/v1alpha1"},
          {"kind", "SecurityPolicy"},
          {"metadata", {{"name", name}, {"generation", generation}}},
          {"spec", {{"mode", mode}, {"podSecurity", {{"level", "restricted"}}}}}};
}

// Verifies that valid policies are in force, in name order.
TEST(PolicySetTest, ValidPoliciesAreInForce) {
  PolicySet set;
  EXPECT_TRUE(set.upsert(policy("b", 1, "Enforce")));
  EXPECT_TRUE(set.upsert(policy("a", 1, "Audit")));
  auto in_force = set.in_force();
  ASSERT_EQ(in_force.size(), 2u);
  EXPECT_EQ(in_force[0].metadata.name, "a");
  EXPECT_EQ(in_force[0].spec.mode, api::Mode::Audit);
}

// Verifies that an invalid edit keeps the last good version in force and records the errors.
TEST(PolicySetTest, InvalidEditKeepsLastGoodVersion) {
  PolicySet set;
  set.upsert(policy("p", 1, "Enforce"));
  EXPECT_FALSE(set.upsert(policy("p", 2, "Block"))) << "what is enforced did not change";
  const auto* state = set.find("p");
  ASSERT_NE(state, nullptr);
  EXPECT_EQ(state->metadata.generation, 2);
  ASSERT_FALSE(state->errors.empty());
  EXPECT_NE(state->errors[0].find("spec.mode"), std::string::npos);
  ASSERT_EQ(set.in_force().size(), 1u);
  EXPECT_EQ(set.in_force()[0].metadata.generation, 1);
  EXPECT_EQ(set.in_force()[0].spec.mode, api::Mode::Enforce);
}

// Verifies that a policy invalid from the start is known but not in force.
TEST(PolicySetTest, NeverValidPolicyIsNotInForce) {
  PolicySet set;
  EXPECT_FALSE(set.upsert(policy("bad", 1, "Block")));
  EXPECT_TRUE(set.in_force().empty());
  EXPECT_NE(set.find("bad"), nullptr);
}

// Verifies that a policy being deleted leaves the set in force while its state remains for
// the finalizer.
TEST(PolicySetTest, DeletingPolicyLeavesForce) {
  PolicySet set;
  set.upsert(policy("p", 1, "Enforce"));
  auto deleting = policy("p", 1, "Enforce");
  deleting["metadata"]["deletionTimestamp"] = "2026-01-01T00:00:00Z";
  deleting["metadata"]["finalizers"] = {kPolicyFinalizer};
  EXPECT_TRUE(set.upsert(deleting));
  EXPECT_TRUE(set.in_force().empty());
  ASSERT_NE(set.find("p"), nullptr);
  EXPECT_TRUE(set.find("p")->deleting);
  EXPECT_TRUE(set.find("p")->has_finalizer);
  EXPECT_FALSE(set.erase("p")) << "it was already out of force";
}

// Verifies that an edit that changes only metadata does not count as a change in force.
TEST(PolicySetTest, MetadataOnlyChangeIsNotAChangeInForce) {
  PolicySet set;
  set.upsert(policy("p", 1, "Enforce"));
  auto labelled = policy("p", 1, "Enforce");
  labelled["metadata"]["labels"] = {{"team", "a"}};
  EXPECT_FALSE(set.upsert(labelled));
  EXPECT_TRUE(set.upsert(policy("p", 2, "Audit")));
}

// Verifies that quarantined digests in status reach the policy in force.
TEST(PolicySetTest, QuarantinedDigestsFollowStatus) {
  PolicySet set;
  auto p = policy("p", 1, "Enforce");
  set.upsert(p);
  p["status"] = {{"quarantinedDigests", {{{"digest", "sha256:" + std::string(64, 'a')}}}}};
  EXPECT_TRUE(set.upsert(p));
  EXPECT_EQ(set.in_force()[0].status.quarantinedDigests.size(), 1u);
}

}  // namespace
}  // namespace castellan::controller
