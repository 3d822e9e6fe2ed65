#include "api/security_policy_codec.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace castellan::api {
namespace {

using nlohmann::json;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

json policy_with_spec(json spec) {
  return {{"apiVersion", "castellan.io/v1alpha1"},
          {"kind", "SecurityPolicy"},
          {"metadata", {{"name", "p"}}},
          {"spec", std::move(spec)}};
}

std::vector<std::string> messages(const FieldErrors& errors) {
  std::vector<std::string> out;
  for (const auto& e : errors) out.push_back(e.str());
  return out;
}

// Verifies that the full DESIGN.md example parses into the typed spec.
TEST(SecurityPolicyCodec, ParsesTheDesignExample) {
  auto object = json::parse(R"({
    "apiVersion": "castellan.io/v1alpha1", "kind": "SecurityPolicy",
    "metadata": {"name": "restricted-prod", "labels": {"team": "sec"}},
    "spec": {
      "mode": "Enforce", "failurePolicy": "Ignore",
      "match": {"namespaces": ["prod-*"],
                "namespaceSelector": {"matchLabels": {"env": "prod"}},
                "podSelector": {"matchExpressions": [{"key": "app", "operator": "In", "values": ["web"]}]}},
      "exclude": {"namespaces": ["kube-system", "castellan-system"]},
      "podSecurity": {"level": "restricted"},
      "containers": {"requireResourceLimits": true, "requireReadOnlyRootFilesystem": true},
      "images": {"allowedRegistries": ["registry.example.com/*"], "requireDigest": true,
                 "disallowLatestTag": true,
                 "deniedDigests": ["sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"]},
      "mutations": {"runAsNonRoot": true, "dropAllCapabilities": true},
      "runtime": {
        "rules": [
          {"name": "shell-in-container", "exec": {"names": ["sh", "bash"]}, "action": "Kill"},
          {"name": "write-below-etc", "fileWrite": {"pathPrefixes": ["/etc", "/usr/bin"]}},
          {"name": "unexpected-egress", "connect": {"exceptCIDRs": ["10.0.0.0/8", "fd00::/8"], "exceptPorts": [53]}}],
        "responses": [{"rules": ["shell-in-container"], "actions": ["DeletePod", "Notify"],
                       "notify": {"url": "https://hooks.example.com/x"}}]}}})");
  auto decoded = decode_security_policy(object);
  ASSERT_TRUE(decoded.ok()) << join(decoded.errors);
  const auto& p = decoded.value;
  EXPECT_EQ(p.metadata.name, "restricted-prod");
  EXPECT_EQ(p.metadata.labels.at("team"), "sec");
  EXPECT_EQ(p.spec.mode, Mode::Enforce);
  EXPECT_EQ(p.spec.failurePolicy, FailurePolicy::Ignore);
  EXPECT_THAT(p.spec.match.namespaces, ElementsAre("prod-*"));
  ASSERT_TRUE(p.spec.match.namespaceSelector);
  EXPECT_EQ(p.spec.match.namespaceSelector->matchLabels.at("env"), "prod");
  ASSERT_TRUE(p.spec.match.podSelector);
  EXPECT_EQ(p.spec.match.podSelector->matchExpressions.at(0).op, "In");
  EXPECT_THAT(p.spec.exclude.namespaces, ElementsAre("kube-system", "castellan-system"));
  EXPECT_EQ(p.spec.podSecurity.level, PodSecurityLevel::Restricted);
  EXPECT_TRUE(p.spec.containers.requireResourceLimits);
  EXPECT_TRUE(p.spec.images.requireDigest);
  EXPECT_TRUE(p.spec.mutations.runAsNonRoot);
  EXPECT_FALSE(p.spec.mutations.seccompRuntimeDefault);
  ASSERT_EQ(p.spec.runtime.rules.size(), 3u);
  EXPECT_EQ(p.spec.runtime.rules[0].action, RuntimeAction::Kill);
  EXPECT_EQ(p.spec.runtime.rules[1].action, RuntimeAction::Alert);
  EXPECT_THAT(p.spec.runtime.rules[2].connect->exceptPorts, ElementsAre(53));
  ASSERT_EQ(p.spec.runtime.responses.size(), 1u);
  EXPECT_THAT(p.spec.runtime.responses[0].actions,
              ElementsAre(ResponseAction::DeletePod, ResponseAction::Notify));
  EXPECT_EQ(p.spec.runtime.responses[0].notify->url, "https://hooks.example.com/x");
}

// Verifies that an empty spec gets mode Audit, failurePolicy Fail and excludes kube-system.
TEST(SecurityPolicyCodec, AppliesDefaults) {
  auto decoded = decode_security_policy(policy_with_spec(json::object()));
  ASSERT_TRUE(decoded.ok()) << join(decoded.errors);
  EXPECT_EQ(decoded.value.spec.mode, Mode::Audit);
  EXPECT_EQ(decoded.value.spec.failurePolicy, FailurePolicy::Fail);
  EXPECT_THAT(decoded.value.spec.exclude.namespaces, ElementsAre("kube-system"));
  EXPECT_FALSE(decoded.value.spec.podSecurity.level.has_value());
}

// Verifies that an explicit empty exclude list is kept, so kube-system can be included.
TEST(SecurityPolicyCodec, KeepsAnExplicitEmptyExcludeList) {
  auto decoded =
      decode_security_policy(policy_with_spec({{"exclude", {{"namespaces", json::array()}}}}));
  ASSERT_TRUE(decoded.ok()) << join(decoded.errors);
  EXPECT_TRUE(decoded.value.spec.exclude.namespaces.empty());
}

// Verifies that the issue's example message is produced for a bad registry pattern.
TEST(SecurityPolicyCodec, NamesTheBadRegistryPatternByIndex) {
  auto decoded = decode_security_policy(policy_with_spec(
      {{"images", {{"allowedRegistries", {"a.io/*", "b.io/x/*", "reg istry/*"}}}}}));
  ASSERT_EQ(decoded.errors.size(), 1u);
  EXPECT_THAT(decoded.errors[0].str(),
              HasSubstr("spec.images.allowedRegistries[2]: \"reg istry/*\" is not a valid "
                        "registry pattern"));
}

// Verifies that every problem is reported at once, each with its path.
TEST(SecurityPolicyCodec, ReportsEveryProblemAtOnce) {
  auto decoded = decode_security_policy(policy_with_spec(json::parse(R"({
    "mode": "enforce",
    "failurePolicy": "Sometimes",
    "podSecurity": {"level": "strict"},
    "containers": {"requireResourceLimits": "yes"},
    "images": {"deniedDigests": ["sha256:ABC", "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"]},
    "match": {"namespaces": ["Prod_*"], "podSelector": {"matchExpressions": [
      {"key": "app", "operator": "Exists", "values": ["x"]},
      {"key": "tier", "operator": "In"},
      {"key": "bad key!", "operator": "Has"}]}},
    "colour": "blue"
  })")));
  auto m = messages(decoded.errors);
  EXPECT_THAT(m, Contains("spec.mode: \"enforce\" is not one of Enforce, Audit, Warn"));
  EXPECT_THAT(m, Contains("spec.failurePolicy: \"Sometimes\" is not one of Fail, Ignore"));
  EXPECT_THAT(m, Contains("spec.podSecurity.level: \"strict\" is not one of privileged, "
                          "baseline, restricted"));
  EXPECT_THAT(m, Contains("spec.containers.requireResourceLimits: must be a boolean (true or "
                          "false), got string \"yes\""));
  EXPECT_THAT(m, Contains(HasSubstr("spec.images.deniedDigests[0]: \"sha256:ABC\" is not a valid "
                                    "digest")));
  EXPECT_THAT(m, Contains(HasSubstr("spec.match.namespaces[0]: \"Prod_*\" is not a valid "
                                    "namespace glob")));
  EXPECT_THAT(m, Contains("spec.match.podSelector.matchExpressions[0].values: must be empty when "
                          "operator is Exists"));
  EXPECT_THAT(m, Contains("spec.match.podSelector.matchExpressions[1].values: must be non-empty "
                          "when operator is In"));
  EXPECT_THAT(m, Contains("spec.match.podSelector.matchExpressions[2].key: \"bad key!\" is not a "
                          "valid label key"));
  EXPECT_THAT(m, Contains(HasSubstr("spec.match.podSelector.matchExpressions[2].operator: "
                                    "\"Has\" is not one of")));
  EXPECT_THAT(m, Contains("spec.colour: unknown field"));
  EXPECT_EQ(decoded.errors.size(), 11u) << join(decoded.errors);
}

// Verifies that unknown fields deep in the spec are reported with their full path.
TEST(SecurityPolicyCodec, ReportsNestedUnknownFields) {
  auto decoded = decode_security_policy(policy_with_spec(json::parse(R"({
    "images": {"allowedRegistry": ["a.io/*"]},
    "runtime": {"rules": [{"name": "r", "exec": {"names": ["sh"], "args": ["-c"]}}]}
  })")));
  EXPECT_THAT(messages(decoded.errors),
              ElementsAre("spec.images.allowedRegistry: unknown field",
                          "spec.runtime.rules[0].exec.args: unknown field"));
}

// Verifies the runtime rule checks: kinds, Kill, paths, CIDRs, ports, names.
TEST(SecurityPolicyCodec, ValidatesRuntimeRules) {
  auto decoded = decode_security_policy(policy_with_spec(json::parse(R"({"runtime": {"rules": [
    {"name": "both", "exec": {"names": ["sh"]}, "fileWrite": {"pathPrefixes": ["/etc"]}},
    {"name": "none"},
    {"name": "kill-write", "fileWrite": {"pathPrefixes": ["etc", "/usr/../bin"]}, "action": "Kill"},
    {"name": "net", "connect": {"exceptCIDRs": ["10.0.0.0/33", "fd00::/8", "300.1.1.1/8"], "exceptPorts": [0, 53, 70000, "80"]}},
    {"name": "net", "exec": {"names": ["/bin/sh"]}},
    {"exec": {"names": []}}
  ]}})")));
  auto m = messages(decoded.errors);
  EXPECT_THAT(m, Contains("spec.runtime.rules[0]: must set exactly one of exec, fileWrite or "
                          "connect, found 2"));
  EXPECT_THAT(m, Contains("spec.runtime.rules[1]: must set exactly one of exec, fileWrite or "
                          "connect, found 0"));
  EXPECT_THAT(m, Contains("spec.runtime.rules[2].action: Kill is only supported on exec rules "
                          "(use Alert)"));
  EXPECT_THAT(m, Contains(HasSubstr("spec.runtime.rules[2].fileWrite.pathPrefixes[0]: \"etc\" is "
                                    "not an absolute path")));
  EXPECT_THAT(m, Contains(HasSubstr("spec.runtime.rules[2].fileWrite.pathPrefixes[1]")));
  EXPECT_THAT(m, Contains("spec.runtime.rules[3].connect.exceptCIDRs[0]: \"10.0.0.0/33\" is not "
                          "a valid IPv4 or IPv6 CIDR (address/prefix-length)"));
  EXPECT_THAT(m, Contains(HasSubstr("spec.runtime.rules[3].connect.exceptCIDRs[2]")));
  EXPECT_THAT(m, Contains("spec.runtime.rules[3].connect.exceptPorts[0]: 0 is not a valid port "
                          "(1-65535)"));
  EXPECT_THAT(m, Contains("spec.runtime.rules[3].connect.exceptPorts[2]: 70000 is not a valid "
                          "port (1-65535)"));
  EXPECT_THAT(m, Contains("spec.runtime.rules[3].connect.exceptPorts[3]: must be an integer "
                          "port, got string \"80\""));
  EXPECT_THAT(m, Contains("spec.runtime.rules[4].name: duplicate rule name \"net\""));
  EXPECT_THAT(m, Contains(HasSubstr("spec.runtime.rules[4].exec.names[0]: \"/bin/sh\"")));
  EXPECT_THAT(m, Contains("spec.runtime.rules[5].name: is required"));
  EXPECT_THAT(m, Contains("spec.runtime.rules[5].exec.names: must not be empty"));
  EXPECT_EQ(m.size(), 14u) << join(decoded.errors);
}

// Verifies that responses must name existing rules and Notify needs an http(s) URL.
TEST(SecurityPolicyCodec, ValidatesResponses) {
  auto decoded = decode_security_policy(policy_with_spec(json::parse(R"({"runtime": {
    "rules": [{"name": "shell", "exec": {"names": ["sh"]}}],
    "responses": [
      {"rules": ["shell", "shel"], "actions": ["DeletePod", "Notify"]},
      {"rules": ["shell"], "actions": ["Notify"], "notify": {"url": "ftp://x"}},
      {"rules": [], "actions": ["Explode", "TaintNode", "TaintNode"], "notify": {"url": "https://x"}}
    ]}})")));
  auto m = messages(decoded.errors);
  EXPECT_THAT(m, Contains("spec.runtime.responses[0].rules[1]: \"shel\" is not a rule in "
                          "spec.runtime.rules"));
  EXPECT_THAT(m, Contains("spec.runtime.responses[0].notify.url: is required when actions "
                          "include Notify"));
  EXPECT_THAT(m, Contains("spec.runtime.responses[1].notify.url: \"ftp://x\" is not an http:// "
                          "or https:// URL"));
  EXPECT_THAT(m, Contains(HasSubstr("spec.runtime.responses[2].actions[0]: \"Explode\" is not "
                                    "one of DeletePod")));
  EXPECT_THAT(m, Contains("spec.runtime.responses[2].actions[2]: duplicate action TaintNode"));
  EXPECT_THAT(m, Contains("spec.runtime.responses[2].rules: must name at least one rule"));
  EXPECT_THAT(m, Contains("spec.runtime.responses[2].notify: is set but actions do not include "
                          "Notify"));
  EXPECT_EQ(m.size(), 7u) << join(decoded.errors);
}

// Verifies the options of DeletePod and TaintNode and the action rate limit are checked.
TEST(SecurityPolicyCodec, ValidatesResponseOptions) {
  auto decoded = decode_security_policy(policy_with_spec(json::parse(R"({"runtime": {
    "rules": [{"name": "shell", "exec": {"names": ["sh"]}}],
    "maxActionsPerMinute": 0,
    "responses": [
      {"rules": ["shell"], "actions": ["IsolatePod"], "deletePod": {"minHealthyReplicas": 1},
       "taintNode": {"effect": "NoExecute"}},
      {"rules": ["shell"], "actions": ["DeletePod", "TaintNode"],
       "deletePod": {"minHealthyReplicas": -1}, "taintNode": {"effect": "Evict"}}
    ]}})")));
  auto m = messages(decoded.errors);
  EXPECT_THAT(m, Contains("spec.runtime.maxActionsPerMinute: must be from 1 to 1000, got 0"));
  EXPECT_THAT(m, Contains("spec.runtime.responses[0].deletePod: is set but actions do not include "
                          "DeletePod"));
  EXPECT_THAT(m, Contains("spec.runtime.responses[0].taintNode: is set but actions do not include "
                          "TaintNode"));
  EXPECT_THAT(m, Contains("spec.runtime.responses[1].deletePod.minHealthyReplicas: must not be "
                          "negative"));
  EXPECT_THAT(m, Contains(HasSubstr("spec.runtime.responses[1].taintNode.effect: \"Evict\" is not "
                                    "one of NoSchedule")));
  EXPECT_EQ(m.size(), 5u) << join(decoded.errors);

  auto good = decode_security_policy(policy_with_spec(json::parse(R"({"runtime": {
    "rules": [{"name": "shell", "exec": {"names": ["sh"]}}],
    "responses": [{"rules": ["shell"], "actions": ["DeletePod", "TaintNode"],
                   "deletePod": {"minHealthyReplicas": 2}, "taintNode": {}}]}})")));
  ASSERT_TRUE(good.ok()) << join(good.errors);
  const auto& runtime = good.value.spec.runtime;
  EXPECT_EQ(runtime.maxActionsPerMinute, kDefaultMaxActionsPerMinute);
  EXPECT_EQ(runtime.responses[0].deletePod->minHealthyReplicas, 2);
  EXPECT_EQ(runtime.responses[0].taintNode->effect, TaintEffect::NoSchedule);
}

// Verifies that the envelope is checked: apiVersion, kind, name, non-object input.
TEST(SecurityPolicyCodec, ChecksTheEnvelope) {
  json object = {{"apiVersion", "castellan.io/v1"},
                 {"kind", "SecurityPolicies"},
                 {"metadata", {{"name", "Bad_Name"}}}};
  auto m = messages(decode_security_policy(object).errors);
  EXPECT_THAT(m, Contains("apiVersion: must be castellan.io/v1alpha1, got \"castellan.io/v1\""));
  EXPECT_THAT(m, Contains("kind: must be SecurityPolicy, got \"SecurityPolicies\""));
  EXPECT_THAT(m, Contains(HasSubstr("metadata.name: \"Bad_Name\" is not a valid name")));
  EXPECT_THAT(messages(decode_security_policy(json::array()).errors),
              ElementsAre("expected a SecurityPolicy object, got an array"));
  EXPECT_FALSE(parse_security_policy(json("x")).ok());
}

// Verifies that a quoted "true" is a type error, not silently taken as a boolean.
TEST(SecurityPolicyCodec, RejectsStringsWhereBooleansBelong) {
  auto decoded =
      decode_security_policy(policy_with_spec({{"mutations", {{"runAsNonRoot", "true"}}}}));
  EXPECT_THAT(messages(decoded.errors),
              ElementsAre("spec.mutations.runAsNonRoot: must be a boolean (true or false), got "
                          "string \"true\""));
}

// Verifies that to_json and decode round-trip a policy unchanged.
TEST(SecurityPolicyCodec, RoundTripsThroughJson) {
  auto first = decode_security_policy(policy_with_spec(json::parse(R"({
    "mode": "Warn", "podSecurity": {"level": "baseline"},
    "match": {"namespaceSelector": {"matchExpressions": [{"key": "env", "operator": "NotIn", "values": ["dev"]}]}},
    "images": {"allowedRegistries": ["ghcr.io/acme/*"], "disallowLatestTag": true},
    "mutations": {"seccompRuntimeDefault": true},
    "runtime": {"rules": [{"name": "egress", "connect": {"exceptPorts": [443]}}],
                "responses": [{"rules": ["egress"], "actions": ["IsolatePod"]}]}})")));
  ASSERT_TRUE(first.ok()) << join(first.errors);
  json serialized = to_json(first.value);
  auto second = decode_security_policy(serialized);
  ASSERT_TRUE(second.ok()) << join(second.errors);
  EXPECT_EQ(to_json(second.value), serialized);
  EXPECT_EQ(serialized["spec"]["mode"], "Warn");
  EXPECT_EQ(serialized["spec"]["exclude"]["namespaces"], json({"kube-system"}));
}

// Verifies the status JSON shape the controller writes.
TEST(SecurityPolicyCodec, SerializesStatus) {
  SecurityPolicyStatus status;
  status.observedGeneration = 3;
  status.conditions.push_back({"Ready", "True", "Compiled", "ok", "2026-01-01T00:00:00Z", 3});
  status.admission.denied = 2;
  status.runtime.nodesInSync = "2/3";
  status.recentViolations.push_back(
      {"2026-01-01T00:00:00Z", "Pod", "prod", "web", "images.requireDigest", "pin it"});
  status.quarantinedDigests.push_back({"sha256:" + std::string(64, 'a'), "app@sha256:a", "shell",
                                       "prod", "web", "node-1", "2026-01-01T00:00:01Z", "exec of sh"});
  status.responses = {4, 1, 7, 1};
  status.recentActions.push_back(
      {"2026-01-01T00:00:01Z", "DeletePod", "shell", "prod", "web", "node-1", "", true, "deleted"});
  json j = to_json(status);
  EXPECT_EQ(j["observedGeneration"], 3);
  EXPECT_EQ(j["conditions"][0]["type"], "Ready");
  EXPECT_EQ(j["conditions"][0]["observedGeneration"], 3);
  EXPECT_EQ(j["admission"]["denied"], 2);
  EXPECT_EQ(j["runtime"]["nodesInSync"], "2/3");
  EXPECT_EQ(j["recentViolations"][0]["namespace"], "prod");
  EXPECT_EQ(j["recentActions"][0]["node"], "node-1");
  EXPECT_EQ(j["quarantinedDigests"].size(), 1u);
  EXPECT_EQ(j["quarantinedDigests"][0]["alert"], "exec of sh");
  EXPECT_EQ(j["responses"]["skipped"], 7);

  FieldErrors errors;
  auto back = decode_security_policy_status(j, "status", errors);
  EXPECT_TRUE(errors.empty()) << join(errors);
  EXPECT_EQ(to_json(back), j);
}

// Verifies that podSecurity.version, fromNamespaceLabels and exemptions decode, default to
// latest, round-trip, and that a version Pod Security admission would refuse is an error.
TEST(SecurityPolicyCodec, PodSecurityVersionLabelsAndExemptions) {
  auto pinned = decode_security_policy(policy_with_spec(json::parse(R"({
    "podSecurity": {"level": "restricted", "version": "v1.29", "fromNamespaceLabels": true,
                    "exemptions": {"usernames": ["system:serviceaccount:ci:deployer"],
                                   "runtimeClassNames": ["kata"], "namespaces": ["legacy"]}}})")));
  ASSERT_TRUE(pinned.ok()) << join(pinned.errors);
  const auto& ps = pinned.value.spec.podSecurity;
  EXPECT_EQ(ps.version, (PodSecurityVersion{false, 29}));
  EXPECT_TRUE(ps.fromNamespaceLabels);
  EXPECT_EQ(ps.exemptions.runtimeClassNames, std::vector<std::string>{"kata"});
  const json j = to_json(pinned.value);
  EXPECT_EQ(j["spec"]["podSecurity"]["version"], "v1.29");
  auto back = decode_security_policy(j);
  ASSERT_TRUE(back.ok()) << join(back.errors);
  EXPECT_EQ(to_json(back.value), j);

  auto latest = decode_security_policy(
      policy_with_spec(json::parse(R"({"podSecurity": {"level": "baseline"}})")));
  ASSERT_TRUE(latest.ok());
  EXPECT_TRUE(latest.value.spec.podSecurity.version.latest);

  auto bad = decode_security_policy(policy_with_spec(json::parse(R"({
    "podSecurity": {"level": "baseline", "version": "1.29",
                    "exemptions": {"namespaces": ["team-*"], "runtimeClassNames": ["Kata"]}}})")));
  auto m = messages(bad.errors);
  EXPECT_THAT(m, Contains(HasSubstr("spec.podSecurity.version: \"1.29\" is not \"latest\" or a "
                                    "release \"v1.N\"")));
  EXPECT_THAT(m, Contains(HasSubstr("spec.podSecurity.exemptions.namespaces[0]: \"team-*\"")));
  EXPECT_THAT(m, Contains(HasSubstr("spec.podSecurity.exemptions.runtimeClassNames[0]")));
}

// Verifies that enum parsers accept exactly the listed spellings.
TEST(SecurityPolicyCodec, EnumParsersMatchTheirValueLists) {
  for (const auto& v : mode_values()) EXPECT_TRUE(parse_mode(v)) << v;
  EXPECT_EQ(parse_mode("Warn"), Mode::Warn);
  EXPECT_FALSE(parse_mode("warn"));
  EXPECT_EQ(parse_pod_security_level("baseline"), PodSecurityLevel::Baseline);
  EXPECT_EQ(parse_pod_security_version("v1.0"), (PodSecurityVersion{false, 0}));
  EXPECT_EQ(parse_pod_security_version("latest"), PodSecurityVersion{});
  for (const char* bad : {"v1.01", "v1", "v2.0", "V1.2", "v1.2a", "v1.1234567"}) {
    EXPECT_FALSE(parse_pod_security_version(bad)) << bad;
  }
  EXPECT_EQ(parse_response_action("QuarantineImage"), ResponseAction::QuarantineImage);
  EXPECT_EQ(parse_runtime_action("Kill"), RuntimeAction::Kill);
  for (const auto& v : response_action_values()) {
    EXPECT_STREQ(to_string(*parse_response_action(v)), v.c_str());
  }
  for (const auto& v : taint_effect_values()) {
    EXPECT_STREQ(to_string(*parse_taint_effect(v)), v.c_str());
  }
  EXPECT_FALSE(parse_taint_effect("noschedule"));
}

}  // namespace
}  // namespace castellan::api
