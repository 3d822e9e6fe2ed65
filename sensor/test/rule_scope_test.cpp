#include "sensor/rule_scope.h"

#include <gtest/gtest.h>

#include "api/security_policy_codec.h"
#include "sensor/ruleset_compiler.h"

namespace castellan::sensor {
namespace {

api::SecurityPolicy parse(const char* text) {
  auto parsed = api::parse_security_policy(nlohmann::json::parse(text));
  EXPECT_TRUE(parsed.ok()) << (parsed.ok() ? "" : parsed.error().message);
  return parsed.ok() ? *parsed : api::SecurityPolicy{};
}

struct Fixture {
  std::vector<api::SecurityPolicy> policies;
  CompiledRuleset ruleset;
  RuleScope scope;
};

Fixture compile(std::vector<api::SecurityPolicy> policies) {
  auto ruleset = compile_ruleset(policies);
  EXPECT_TRUE(ruleset.ok());
  auto scope = RuleScope::compile(policies, *ruleset);
  EXPECT_TRUE(scope.ok());
  return Fixture{std::move(policies), std::move(*ruleset), std::move(*scope)};
}

uint64_t bits_of(const CompiledRuleset& ruleset, const std::string& policy) {
  uint64_t mask = 0;
  for (const auto& rule : ruleset.rules) {
    if (rule.policy == policy) mask |= uint64_t{1} << rule.index;
  }
  return mask;
}

const char* kProd = R"({"apiVersion":"castellan.io/v1alpha1","kind":"SecurityPolicy",
  "metadata":{"name":"prod"},
  "spec":{"match":{"namespaces":["prod-*"],"podSelector":{"matchLabels":{"tier":"web"}}},
          "runtime":{"rules":[{"name":"shell","exec":{"names":["sh"]}}]}}})";
const char* kLabelled = R"({"apiVersion":"castellan.io/v1alpha1","kind":"SecurityPolicy",
  "metadata":{"name":"labelled"},
  "spec":{"match":{"namespaceSelector":{"matchLabels":{"team":"a"}}},
          "exclude":{"namespaces":["kube-system"]},
          "runtime":{"rules":[{"name":"etc","fileWrite":{"pathPrefixes":["/etc"]}}]}}})";

// Verifies that a policy's rules apply only to Pods in namespaces matching its globs and
// with labels matching its podSelector.
TEST(RuleScope, AppliesNamespaceGlobsAndPodSelector) {
  auto f = compile({parse(kProd)});
  policy::Labels ns, web{{"tier", "web"}}, db{{"tier", "db"}};
  uint64_t prod = bits_of(f.ruleset, "prod");
  ASSERT_NE(prod, 0u);
  EXPECT_EQ(f.scope.rules_for({"prod-eu", &ns, &web}), prod);
  EXPECT_EQ(f.scope.rules_for({"prod-eu", &ns, &db}), 0u);
  EXPECT_EQ(f.scope.rules_for({"dev", &ns, &web}), 0u);
}

// Verifies that namespaceSelector and exclude decide per policy, so one Pod gets only the
// bits of the policies that match it.
TEST(RuleScope, CombinesPoliciesByNamespaceLabels) {
  auto f = compile({parse(kProd), parse(kLabelled)});
  policy::Labels team_a{{"team", "a"}}, team_b{{"team", "b"}}, web{{"tier", "web"}};
  uint64_t prod = bits_of(f.ruleset, "prod"), labelled = bits_of(f.ruleset, "labelled");
  EXPECT_EQ(f.scope.rules_for({"prod-1", &team_a, &web}), prod | labelled);
  EXPECT_EQ(f.scope.rules_for({"prod-1", &team_b, &web}), prod);
  EXPECT_EQ(f.scope.rules_for({"other", &team_a, &web}), labelled);
  EXPECT_EQ(f.scope.rules_for({"kube-system", &team_a, &web}), 0u);
}

}  // namespace
}  // namespace castellan::sensor
