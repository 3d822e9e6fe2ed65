#include "sensor/ruleset_compiler.h"

#include <gtest/gtest.h>

namespace castellan::sensor {
namespace {

api::SecurityPolicy policy(const std::string& name, std::vector<api::RuntimeRule> rules) {
  api::SecurityPolicy p;
  p.metadata.name = name;
  p.spec.runtime.rules = std::move(rules);
  return p;
}

api::RuntimeRule exec_rule(const std::string& name, std::vector<std::string> names,
                           api::RuntimeAction action = api::RuntimeAction::Alert) {
  api::RuntimeRule r;
  r.name = name;
  r.exec = api::ExecMatch{std::move(names)};
  r.action = action;
  return r;
}

api::RuntimeRule file_rule(const std::string& name, std::vector<std::string> prefixes) {
  api::RuntimeRule r;
  r.name = name;
  r.fileWrite = api::FileWriteMatch{std::move(prefixes)};
  return r;
}

api::RuntimeRule connect_rule(const std::string& name, std::vector<std::string> cidrs,
                              std::vector<uint16_t> ports) {
  api::RuntimeRule r;
  r.name = name;
  r.connect = api::ConnectMatch{std::move(cidrs), std::move(ports)};
  return r;
}

CommKey key(const char* s) {
  CommKey k{};
  for (size_t i = 0; s[i] && i < 15; ++i) k[i] = s[i];
  return k;
}

uint64_t path_mask(const CompiledRuleset& rs, const std::string& bytes) {
  for (const auto& e : rs.path_entries) {
    if (e.bytes == bytes) return e.rule_mask;
  }
  return ~uint64_t{0};
}

// Verifies that rules of several policies get distinct bits and per-kind masks.
TEST(RulesetCompiler, NumbersRulesAcrossPoliciesByKind) {
  auto rs = compile_ruleset({policy("a", {exec_rule("shell", {"sh", "bash"})}),
                             policy("b", {file_rule("etc", {"/etc"}),
                                          connect_rule("egress", {"10.0.0.0/8"}, {53})})});
  ASSERT_TRUE(rs.ok()) << rs.error().message;
  ASSERT_EQ(rs->rules.size(), 3u);
  EXPECT_EQ(rs->rules[1].policy, "b");
  EXPECT_EQ(rs->exec_rules, 1u);
  EXPECT_EQ(rs->file_rules, 2u);
  EXPECT_EQ(rs->connect_rules, 4u);
  EXPECT_EQ(rs->exec_names.at(key("sh")).rule_mask, 1u);
  EXPECT_EQ(rs->except_ports.at(53), 4u);
}

// Verifies that only Kill rules with names the kernel sees whole are killed in the kernel.
TEST(RulesetCompiler, KillMaskOnlyForNamesThatFitComm) {
  auto rs = compile_ruleset({policy(
      "p", {exec_rule("k", {"nc", "fourteen-chars", "fifteen-chars-x", "a-very-long-program-name"},
                      api::RuntimeAction::Kill)})});
  ASSERT_TRUE(rs.ok());
  EXPECT_EQ(rs->exec_names.at(key("nc")).kill_mask, 1u);
  EXPECT_EQ(rs->exec_names.at(key("fourteen-chars")).kill_mask, 1u);
  EXPECT_EQ(rs->exec_names.at(key("fifteen-chars-x")).kill_mask, 0u);
  EXPECT_EQ(rs->exec_names.at(key("a-very-long-pro")).kill_mask, 0u);
  EXPECT_EQ(rs->exec_names.at(key("a-very-long-pro")).rule_mask, 1u);
  ASSERT_EQ(rs->warnings.size(), 2u);
  EXPECT_NE(rs->warnings[1].find("cannot kill"), std::string::npos);
}

// Verifies that a prefix matches below itself and itself, and that a nested prefix's entry
// carries the rules of the enclosing prefix too (an LPM lookup returns one entry).
TEST(RulesetCompiler, PathEntriesCarryCoveringRules) {
  auto rs = compile_ruleset({policy("p", {file_rule("etc", {"/etc/"}),
                                          file_rule("ssh", {"/etc/ssh"})})});
  ASSERT_TRUE(rs.ok()) << rs.error().message;
  EXPECT_EQ(path_mask(*rs, "/etc/"), 1u);
  EXPECT_EQ(path_mask(*rs, std::string("/etc\0", 5)), 1u);
  EXPECT_EQ(path_mask(*rs, "/etc/ssh/"), 3u);
  EXPECT_EQ(path_mask(*rs, std::string("/etc/ssh\0", 9)), 3u);
}

// Verifies that a nested CIDR's entry carries the rules of the networks containing it, and
// that IPv4 exceptions also appear as IPv4-mapped IPv6 networks.
TEST(RulesetCompiler, CidrEntriesCarryContainingRules) {
  auto rs = compile_ruleset({policy("p", {connect_rule("a", {"10.0.0.0/8"}, {}),
                                          connect_rule("b", {"10.1.0.0/16", "fd00::/8"}, {})})});
  ASSERT_TRUE(rs.ok()) << rs.error().message;
  ASSERT_EQ(rs->cidr_v4.size(), 2u);
  for (const auto& e : rs->cidr_v4) {
    EXPECT_EQ(e.rule_mask, e.cidr.prefix_len == 8 ? 1u : 3u) << e.cidr.str();
  }
  ASSERT_EQ(rs->cidr_v6.size(), 3u);
  bool mapped = false;
  for (const auto& e : rs->cidr_v6) mapped |= e.cidr.prefix_len == 104 && e.rule_mask == 1u;
  EXPECT_TRUE(mapped);
}

// Verifies that every malformed rule is reported at once, named by policy and rule.
TEST(RulesetCompiler, ReportsEveryProblem) {
  api::RuntimeRule two_kinds = exec_rule("both", {"sh"});
  two_kinds.fileWrite = api::FileWriteMatch{{"/etc"}};
  api::RuntimeRule kill_file = file_rule("killfile", {"/etc"});
  kill_file.action = api::RuntimeAction::Kill;
  auto rs = compile_ruleset({policy("p", {two_kinds, kill_file, file_rule("rel", {"etc"}),
                                          connect_rule("bad", {"10.0.0.0/33"}, {}),
                                          exec_rule("slash", {"/bin/sh"})})});
  ASSERT_FALSE(rs.ok());
  const auto& m = rs.error().message;
  EXPECT_NE(m.find("p/both: exactly one of"), std::string::npos) << m;
  EXPECT_NE(m.find("p/killfile: action Kill applies only to exec rules"), std::string::npos);
  EXPECT_NE(m.find("p/rel: path prefix \"etc\" must be absolute"), std::string::npos);
  EXPECT_NE(m.find("p/bad: \"10.0.0.0/33\" has an invalid prefix length"), std::string::npos);
  EXPECT_NE(m.find("p/slash: exec name \"/bin/sh\""), std::string::npos);
}

// Verifies that more rules than the kernel's 64-bit masks can hold are refused.
TEST(RulesetCompiler, RefusesMoreThan64Rules) {
  std::vector<api::RuntimeRule> rules;
  for (int i = 0; i < 65; ++i) rules.push_back(exec_rule("r" + std::to_string(i), {"sh"}));
  auto rs = compile_ruleset({policy("p", rules)});
  ASSERT_FALSE(rs.ok());
  EXPECT_NE(rs.error().message.find("p/r64: more than 64"), std::string::npos);
}

}  // namespace
}  // namespace castellan::sensor
