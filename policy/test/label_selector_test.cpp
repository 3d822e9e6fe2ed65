#include "policy/label_selector.h"

#include <gtest/gtest.h>

namespace castellan::policy {
namespace {

LabelSelectorMatcher compile_ok(const api::LabelSelector& s) {
  auto m = LabelSelectorMatcher::compile(s, "spec.match.podSelector");
  EXPECT_TRUE(m.ok()) << (m.ok() ? "" : m.error().message);
  return m.ok() ? *m : LabelSelectorMatcher();
}

// Verifies that an empty selector matches every label set, including none.
TEST(LabelSelectorTest, EmptyMatchesEverything) {
  const auto m = compile_ok({});
  EXPECT_TRUE(m.matches({}));
  EXPECT_TRUE(m.matches({{"app", "web"}}));
}

// Verifies that matchLabels requires every pair to be present with the same value.
TEST(LabelSelectorTest, MatchLabelsAreAnded) {
  const auto m = compile_ok({{{"app", "web"}, {"tier", "front"}}, {}});
  EXPECT_TRUE(m.matches({{"app", "web"}, {"tier", "front"}, {"x", "y"}}));
  EXPECT_FALSE(m.matches({{"app", "web"}}));
  EXPECT_FALSE(m.matches({{"app", "web"}, {"tier", "back"}}));
}

// Verifies that In requires the key to be present with one of the values.
TEST(LabelSelectorTest, InRequiresKeyAndValue) {
  const auto m = compile_ok({{}, {{"env", "In", {"prod", "staging"}}}});
  EXPECT_TRUE(m.matches({{"env", "prod"}}));
  EXPECT_TRUE(m.matches({{"env", "staging"}}));
  EXPECT_FALSE(m.matches({{"env", "dev"}}));
  EXPECT_FALSE(m.matches({}));
}

// Verifies that NotIn matches when the key is absent, as in Kubernetes.
TEST(LabelSelectorTest, NotInMatchesAbsentKey) {
  const auto m = compile_ok({{}, {{"env", "NotIn", {"dev"}}}});
  EXPECT_TRUE(m.matches({}));
  EXPECT_TRUE(m.matches({{"env", "prod"}}));
  EXPECT_FALSE(m.matches({{"env", "dev"}}));
}

// Verifies that Exists and DoesNotExist look only at the key.
TEST(LabelSelectorTest, ExistsAndDoesNotExist) {
  const auto exists = compile_ok({{}, {{"critical", "Exists", {}}}});
  EXPECT_TRUE(exists.matches({{"critical", ""}}));
  EXPECT_FALSE(exists.matches({{"other", "x"}}));
  const auto absent = compile_ok({{}, {{"critical", "DoesNotExist", {}}}});
  EXPECT_TRUE(absent.matches({}));
  EXPECT_FALSE(absent.matches({{"critical", "true"}}));
}

// Verifies that matchLabels and matchExpressions must all hold together.
TEST(LabelSelectorTest, LabelsAndExpressionsAreAnded) {
  const auto m = compile_ok({{{"app", "web"}}, {{"env", "NotIn", {"dev"}}}});
  EXPECT_TRUE(m.matches({{"app", "web"}}));
  EXPECT_FALSE(m.matches({{"app", "web"}, {"env", "dev"}}));
  EXPECT_FALSE(m.matches({{"env", "prod"}}));
}

// Verifies that an unknown operator is an error naming the field and the operator.
TEST(LabelSelectorTest, UnknownOperatorIsAnError) {
  const auto m = LabelSelectorMatcher::compile({{}, {{"env", "in", {"prod"}}}}, "spec.match.podSelector");
  ASSERT_FALSE(m.ok());
  EXPECT_NE(m.error().message.find("spec.match.podSelector.matchExpressions[0].operator"),
            std::string::npos);
  EXPECT_NE(m.error().message.find("\"in\""), std::string::npos);
}

// Verifies that In without values and Exists with values are refused.
TEST(LabelSelectorTest, ValuesMustFitTheOperator) {
  EXPECT_FALSE(LabelSelectorMatcher::compile({{}, {{"env", "In", {}}}}, "s").ok());
  EXPECT_FALSE(LabelSelectorMatcher::compile({{}, {{"env", "NotIn", {}}}}, "s").ok());
  EXPECT_FALSE(LabelSelectorMatcher::compile({{}, {{"env", "Exists", {"x"}}}}, "s").ok());
  EXPECT_FALSE(LabelSelectorMatcher::compile({{}, {{"env", "DoesNotExist", {"x"}}}}, "s").ok());
  EXPECT_FALSE(LabelSelectorMatcher::compile({{}, {{"", "Exists", {}}}}, "s").ok());
}

}  // namespace
}  // namespace castellan::policy
