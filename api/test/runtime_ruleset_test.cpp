#include "api/runtime_ruleset.h"

#include <gtest/gtest.h>

namespace castellan::api {
namespace {

SecurityPolicy policy(const std::string& name, bool runtime) {
  SecurityPolicy p;
  p.metadata.name = name;
  p.metadata.generation = 2;
  p.spec.exclude.namespaces = {"kube-system"};
  p.spec.podSecurity.level = PodSecurityLevel::Restricted;
  p.spec.images.requireDigest = true;
  if (runtime) {
    p.spec.match.namespaces = {"prod-*"};
    p.spec.runtime.rules.push_back(
        {"shell", ExecMatch{{"sh", "bash"}}, {}, {}, RuntimeAction::Kill});
  }
  return p;
}

// Verifies that only policies with runtime rules are kept, reduced to what sensors need.
TEST(RuntimeRulesetTest, KeepsRuntimePoliciesOnly) {
  auto ruleset = build_runtime_ruleset(
      {policy("z", true), policy("admission-only", false), policy("a", true)});
  ASSERT_EQ(ruleset.policies.size(), 2u);
  EXPECT_EQ(ruleset.policies[0].metadata.name, "a");
  EXPECT_FALSE(ruleset.policies[0].spec.podSecurity.level.has_value());
  EXPECT_FALSE(ruleset.policies[0].spec.images.requireDigest);
  EXPECT_EQ(ruleset.policies[0].spec.match.namespaces, std::vector<std::string>{"prod-*"});
  EXPECT_EQ(ruleset.hash.rfind("sha256:", 0), 0u);
}

// Verifies that the hash follows the rules and nothing else.
TEST(RuntimeRulesetTest, HashFollowsRuntimeContentOnly) {
  auto base = build_runtime_ruleset({policy("a", true)});
  auto admission_edit = policy("a", true);
  admission_edit.spec.images.requireDigest = false;
  admission_edit.spec.mode = Mode::Enforce;
  admission_edit.metadata.generation = 3;
  EXPECT_EQ(build_runtime_ruleset({admission_edit}).hash, base.hash);
  auto response_edit = policy("a", true);
  response_edit.spec.runtime.responses.push_back({{"shell"}, {ResponseAction::DeletePod}, {}, {}, {}});
  response_edit.spec.runtime.maxActionsPerMinute = 3;
  EXPECT_EQ(build_runtime_ruleset({response_edit}).hash, base.hash);
  auto runtime_edit = policy("a", true);
  runtime_edit.spec.runtime.rules[0].action = RuntimeAction::Alert;
  EXPECT_NE(build_runtime_ruleset({runtime_edit}).hash, base.hash);
}

// Verifies that the ConfigMap round-trips, and that a tampered one is refused.
TEST(RuntimeRulesetTest, ConfigMapRoundTripsAndDetectsTampering) {
  auto ruleset = build_runtime_ruleset({policy("a", true)});
  auto cm = ruleset_configmap(ruleset, "castellan-system");
  EXPECT_EQ(cm["metadata"]["name"], kRulesetConfigMapName);
  auto back = ruleset_from_configmap(cm);
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(back->hash, ruleset.hash);
  ASSERT_EQ(back->policies.size(), 1u);
  EXPECT_EQ(back->policies[0].spec.runtime.rules[0].action, RuntimeAction::Kill);
  EXPECT_EQ(back->policies[0].spec.runtime.rules[0].exec->names,
            (std::vector<std::string>{"sh", "bash"}));

  cm["data"][kRulesetDataKey] = cm["data"][kRulesetDataKey].get<std::string>() + " ";
  auto tampered = ruleset_from_configmap(cm);
  ASSERT_FALSE(tampered.ok());
  EXPECT_NE(tampered.error().message.find("does not match"), std::string::npos);
  EXPECT_FALSE(ruleset_from_configmap(nlohmann::json::object()).ok());
}

}  // namespace
}  // namespace castellan::api
