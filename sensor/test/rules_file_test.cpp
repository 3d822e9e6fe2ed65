#include "sensor/rules_file.h"

#include <gtest/gtest.h>

namespace castellan::sensor {
namespace {

const char* kTwoPolicies = R"(
apiVersion: castellan.io/v1alpha1
kind: SecurityPolicy
metadata: {name: one}
spec:
  runtime:
    rules:
    - name: shell
      exec: {names: [sh, bash]}
      action: Kill
---
apiVersion: v1
kind: ConfigMap
metadata: {name: other}
---
apiVersion: castellan.io/v1alpha1
kind: SecurityPolicy
metadata: {name: two}
spec:
  runtime:
    rules:
    - name: egress
      connect: {exceptCIDRs: ["10.0.0.0/8"], exceptPorts: [53]}
)";

// Verifies that every SecurityPolicy of a multi-document file is read and other kinds skipped.
TEST(RulesFile, ReadsEveryPolicyAndSkipsOtherKinds) {
  auto file = parse_rules(kTwoPolicies, "rules.yaml");
  ASSERT_TRUE(file.ok()) << file.error().message;
  ASSERT_EQ(file->policies.size(), 2u);
  EXPECT_EQ(file->policies[0].spec.runtime.rules[0].action, api::RuntimeAction::Kill);
  ASSERT_TRUE(file->policies[1].spec.runtime.rules[0].connect.has_value());
  EXPECT_EQ(file->policies[1].spec.runtime.rules[0].connect->exceptPorts,
            std::vector<uint16_t>{53});
  ASSERT_EQ(file->warnings.size(), 1u);
  EXPECT_NE(file->warnings[0].find("rules.yaml, document 2: skipped kind \"ConfigMap\""),
            std::string::npos)
      << file->warnings[0];
}

// Verifies that a bad document is reported with the file and document number.
TEST(RulesFile, NamesTheBadDocument) {
  std::string text = std::string(kTwoPolicies) +
                     "---\napiVersion: castellan.io/v1alpha1\nkind: SecurityPolicy\nspec: [1, 2]\n";
  auto file = parse_rules(text, "rules.yaml");
  ASSERT_FALSE(file.ok());
  EXPECT_NE(file.error().message.find("rules.yaml, document 4"), std::string::npos)
      << file.error().message;
}

// Verifies that invalid YAML, a missing file and a file without policies are errors.
TEST(RulesFile, RejectsUnusableInput) {
  EXPECT_FALSE(parse_rules("a: [", "x.yaml").ok());
  EXPECT_FALSE(parse_rules("kind: ConfigMap\n", "x.yaml").ok());
  auto missing = read_rules_file("/nonexistent/rules.yaml");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message.find("/nonexistent/rules.yaml"), std::string::npos);
}

}  // namespace
}  // namespace castellan::sensor
