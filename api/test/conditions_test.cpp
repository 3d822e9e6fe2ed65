#include "api/conditions.h"

#include <gtest/gtest.h>

namespace castellan::api {
namespace {

Condition ready(const std::string& status, const std::string& reason, int64_t generation) {
  return {"Ready", status, reason, "", "", generation};
}

// Verifies that lastTransitionTime is kept while the status stays the same.
TEST(ConditionsTest, KeepsTransitionTimeWhenStatusUnchanged) {
  std::vector<Condition> conditions;
  EXPECT_TRUE(set_condition(conditions, ready("True", "Compiled", 1), "t1"));
  EXPECT_TRUE(set_condition(conditions, ready("True", "Compiled", 2), "t2"));
  ASSERT_EQ(conditions.size(), 1u);
  EXPECT_EQ(conditions[0].lastTransitionTime, "t1");
  EXPECT_EQ(conditions[0].observedGeneration, 2);
}

// Verifies that a status change moves lastTransitionTime and reports a change.
TEST(ConditionsTest, MovesTransitionTimeOnStatusChange) {
  std::vector<Condition> conditions;
  set_condition(conditions, ready("True", "Compiled", 1), "t1");
  EXPECT_TRUE(set_condition(conditions, ready("False", "InvalidSpec", 1), "t2"));
  EXPECT_EQ(conditions[0].lastTransitionTime, "t2");
  EXPECT_FALSE(is_condition_true(conditions, "Ready"));
}

// Verifies that setting an identical condition reports no change, so no status write follows.
TEST(ConditionsTest, ReportsNoChangeForIdenticalCondition) {
  std::vector<Condition> conditions;
  set_condition(conditions, ready("True", "Compiled", 1), "t1");
  EXPECT_FALSE(set_condition(conditions, ready("True", "Compiled", 1), "t2"));
  EXPECT_TRUE(is_condition_true(conditions, "Ready"));
  EXPECT_EQ(find_condition(conditions, "Degraded"), nullptr);
}

}  // namespace
}  // namespace castellan::api
