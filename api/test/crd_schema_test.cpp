// Checks crds/ against the C++ API: structure, enums, defaults, and that every field one side
// knows the other knows too (the API server silently prunes fields missing from the schema).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <regex>
#include <set>
#include <sstream>
#include <tuple>

#include "api/manifest_loader.h"
#include "api/node_sensor_codec.h"
#include "api/security_policy_codec.h"

namespace castellan::api {
namespace {

using nlohmann::json;

const std::string kCrdDir = std::string(CASTELLAN_SOURCE_DIR) + "/crds/";

json load_crd(const std::string& file) {
  std::istringstream no_stdin;
  auto loaded = load_manifests({kCrdDir + file}, no_stdin);
  EXPECT_TRUE(loaded.ok()) << loaded.error().message;
  if (!loaded.ok() || loaded->size() != 1) return json::object();
  return (*loaded)[0].object;
}

const json& version_of(const json& crd) { return crd["spec"]["versions"][0]; }
const json& schema_of(const json& crd) { return version_of(crd)["schema"]["openAPIV3Schema"]; }

// Keywords a Kubernetes 1.20 structural schema may use (no CEL, no $ref, no oneOf here).
const std::set<std::string> kAllowedKeywords = {"type",
                                                "description",
                                                "properties",
                                                "items",
                                                "additionalProperties",
                                                "required",
                                                "enum",
                                                "default",
                                                "pattern",
                                                "maxLength",
                                                "minLength",
                                                "minimum",
                                                "maximum",
                                                "format",
                                                "maxItems",
                                                "minItems",
                                                "nullable",
                                                "x-kubernetes-list-type",
                                                "x-kubernetes-list-map-keys",
                                                "x-kubernetes-preserve-unknown-fields"};

void check_structural(const json& schema, const std::string& path, bool is_root_metadata,
                      std::vector<std::string>& problems) {
  for (const auto& [key, value] : schema.items()) {
    if (!kAllowedKeywords.count(key)) problems.push_back(path + ": keyword " + key);
  }
  if (!schema.contains("type")) {
    problems.push_back(path + ": no type");
    return;
  }
  const std::string type = schema["type"];
  if (type == "object") {
    bool open = schema.contains("properties") || schema.contains("additionalProperties") ||
                schema.value("x-kubernetes-preserve-unknown-fields", false);
    if (!open && !is_root_metadata) problems.push_back(path + ": object without properties");
    if (schema.contains("properties")) {
      for (const auto& [name, child] : schema["properties"].items()) {
        check_structural(child, path + "." + name, false, problems);
      }
      for (const auto& r : schema.value("required", json::array())) {
        if (!schema["properties"].contains(r.get<std::string>())) {
          problems.push_back(path + ": required " + r.get<std::string>() + " is not a property");
        }
      }
    }
    if (schema.contains("additionalProperties")) {
      check_structural(schema["additionalProperties"], path + ".*", false, problems);
    }
  } else if (type == "array") {
    if (!schema.contains("items")) {
      problems.push_back(path + ": array without items");
    } else {
      check_structural(schema["items"], path + "[]", false, problems);
    }
  }
}

// Finds the schema at a dotted path; "[]" steps into array items.
const json* schema_at(const json& root, const std::string& dotted) {
  const json* node = &root;
  std::stringstream in(dotted);
  std::string part;
  while (std::getline(in, part, '.')) {
    bool items = part.size() > 2 && part.ends_with("[]");
    if (items) part = part.substr(0, part.size() - 2);
    if (!node->contains("properties") || !(*node)["properties"].contains(part)) return nullptr;
    node = &(*node)["properties"][part];
    if (items) {
      if (!node->contains("items")) return nullptr;
      node = &(*node)["items"];
    }
  }
  return node;
}

std::vector<std::string> enum_of(const json& root, const std::string& dotted) {
  const json* node = schema_at(root, dotted);
  EXPECT_NE(node, nullptr) << dotted;
  if (!node || !node->contains("enum")) return {};
  return (*node)["enum"].get<std::vector<std::string>>();
}

// Every key of `value` (recursively) has a place in `schema`.
void check_covered(const json& value, const json& schema, const std::string& path,
                   std::vector<std::string>& missing) {
  if (value.is_object()) {
    if (schema.contains("additionalProperties")) {
      for (const auto& [k, v] : value.items()) {
        check_covered(v, schema["additionalProperties"], path + "." + k, missing);
      }
      return;
    }
    for (const auto& [k, v] : value.items()) {
      if (!schema.contains("properties") || !schema["properties"].contains(k)) {
        missing.push_back(path + "." + k);
      } else {
        check_covered(v, schema["properties"][k], path + "." + k, missing);
      }
    }
  } else if (value.is_array() && schema.contains("items")) {
    for (const auto& v : value) check_covered(v, schema["items"], path + "[]", missing);
  }
}

// An object holding every property of `schema` (leaves null), to probe the decoder.
json every_field(const json& schema) {
  if (schema.value("type", "") == "object" && schema.contains("properties")) {
    json out = json::object();
    for (const auto& [k, v] : schema["properties"].items()) out[k] = every_field(v);
    return out;
  }
  if (schema.value("type", "") == "array" && schema["items"].value("type", "") == "object") {
    return json::array({every_field(schema["items"])});
  }
  return nullptr;
}

const json kFullPolicy = json::parse(R"({
  "apiVersion": "castellan.io/v1alpha1", "kind": "SecurityPolicy", "metadata": {"name": "full"},
  "spec": {
    "mode": "Enforce", "failurePolicy": "Ignore",
    "match": {"namespaces": ["prod-*"],
              "namespaceSelector": {"matchLabels": {"env": "prod"},
                                    "matchExpressions": [{"key": "tier", "operator": "In", "values": ["a"]}]},
              "podSelector": {"matchLabels": {"app": "web"}}},
    "exclude": {"namespaces": ["kube-system"], "podSelector": {"matchExpressions": [{"key": "x", "operator": "Exists"}]}},
    "podSecurity": {"level": "restricted", "version": "v1.29", "fromNamespaceLabels": true,
                    "exemptions": {"usernames": ["ci"], "runtimeClassNames": ["kata"],
                                   "namespaces": ["legacy"]}},
    "containers": {"requireResourceLimits": true, "requireReadOnlyRootFilesystem": true},
    "images": {"allowedRegistries": ["r.io/*"], "requireDigest": true, "disallowLatestTag": true,
               "deniedDigests": ["sha256:0000000000000000000000000000000000000000000000000000000000000000"]},
    "mutations": {"runAsNonRoot": true, "dropAllCapabilities": true, "seccompRuntimeDefault": true,
                  "disallowPrivilegeEscalation": true},
    "runtime": {"rules": [{"name": "a", "exec": {"names": ["sh"]}, "action": "Kill"},
                          {"name": "b", "fileWrite": {"pathPrefixes": ["/etc"]}},
                          {"name": "c", "connect": {"exceptCIDRs": ["10.0.0.0/8"], "exceptPorts": [53]}}],
                "maxActionsPerMinute": 5,
                "responses": [{"rules": ["a"], "actions": ["Notify", "DeletePod", "TaintNode"],
                               "notify": {"url": "https://h.example.com", "headersSecret": "hdr"},
                               "deletePod": {"minHealthyReplicas": 1},
                               "taintNode": {"effect": "NoExecute"}}]}}})");

class CrdSchema : public ::testing::Test {
 protected:
  json policy_crd_ = load_crd("securitypolicies.castellan.io.yaml");
  json sensor_crd_ = load_crd("nodesensors.castellan.io.yaml");
};

// Verifies both CRDs declare the group, version, scope, names and status subresource.
TEST_F(CrdSchema, DeclaresNamesScopeAndSubresources) {
  for (const auto& [crd, plural, short_name] :
       {std::tuple{policy_crd_, "securitypolicies", "secpol"},
        std::tuple{sensor_crd_, "nodesensors", "nsensor"}}) {
    EXPECT_EQ(crd["apiVersion"], "apiextensions.k8s.io/v1");
    EXPECT_EQ(crd["kind"], "CustomResourceDefinition");
    EXPECT_EQ(crd["metadata"]["name"], std::string(plural) + ".castellan.io");
    EXPECT_EQ(crd["spec"]["group"], "castellan.io");
    EXPECT_EQ(crd["spec"]["scope"], "Cluster");
    EXPECT_EQ(crd["spec"]["names"]["plural"], plural);
    EXPECT_EQ(crd["spec"]["names"]["shortNames"], json::array({short_name}));
    ASSERT_EQ(crd["spec"]["versions"].size(), 1u);
    EXPECT_EQ(version_of(crd)["name"], "v1alpha1");
    EXPECT_EQ(version_of(crd)["served"], true);
    EXPECT_EQ(version_of(crd)["storage"], true);
    EXPECT_EQ(version_of(crd)["subresources"]["status"], json::object());
  }
}

// Verifies the schemas are structural: typed everywhere, objects closed, known keywords only.
TEST_F(CrdSchema, SchemasAreStructural) {
  for (const json* crd : {&policy_crd_, &sensor_crd_}) {
    std::vector<std::string> problems;
    const json& root = schema_of(*crd);
    check_structural(root, "", false, problems);
    // metadata may only be {type: object} at the root.
    problems.erase(
        std::remove(problems.begin(), problems.end(), ".metadata: object without properties"),
        problems.end());
    EXPECT_THAT(problems, ::testing::IsEmpty()) << (*crd)["metadata"]["name"];
  }
}

// Verifies every enum in the schema is exactly what the C++ parser accepts.
TEST_F(CrdSchema, EnumsMatchTheParser) {
  const json& root = schema_of(policy_crd_);
  EXPECT_EQ(enum_of(root, "spec.mode"), mode_values());
  EXPECT_EQ(enum_of(root, "spec.failurePolicy"), failure_policy_values());
  EXPECT_EQ(enum_of(root, "spec.podSecurity.level"), pod_security_level_values());
  EXPECT_EQ(enum_of(root, "spec.runtime.rules[].action"), runtime_action_values());
  EXPECT_EQ(enum_of(root, "spec.runtime.responses[].actions[]"), response_action_values());
  EXPECT_EQ(enum_of(root, "status.recentActions[].action"), response_action_values());
  EXPECT_EQ(enum_of(root, "spec.runtime.responses[].taintNode.effect"), taint_effect_values());
  for (const char* filter : {"match", "exclude"}) {
    for (const char* selector : {"namespaceSelector", "podSelector"}) {
      EXPECT_EQ(enum_of(root, std::string("spec.") + filter + "." + selector +
                                  ".matchExpressions[].operator"),
                selector_operator_values());
    }
  }
}

// Verifies the schema defaults are the ones the C++ decoder applies.
TEST_F(CrdSchema, DefaultsMatchTheDecoder) {
  const json& root = schema_of(policy_crd_);
  auto decoded = decode_security_policy(json::parse(R"({"apiVersion": "castellan.io/v1alpha1",
      "kind": "SecurityPolicy", "metadata": {"name": "d"},
      "spec": {"runtime": {"rules": [{"name": "r", "exec": {"names": ["sh"]}}]}}})"));
  ASSERT_TRUE(decoded.ok()) << join(decoded.errors);
  json spec = to_json(decoded.value.spec);
  EXPECT_EQ((*schema_at(root, "spec.mode"))["default"], spec["mode"]);
  EXPECT_EQ((*schema_at(root, "spec.failurePolicy"))["default"], spec["failurePolicy"]);
  EXPECT_EQ((*schema_at(root, "spec.exclude"))["default"]["namespaces"],
            spec["exclude"]["namespaces"]);
  EXPECT_EQ((*schema_at(root, "spec.exclude.namespaces"))["default"],
            spec["exclude"]["namespaces"]);
  EXPECT_EQ((*schema_at(root, "spec.runtime.rules[].action"))["default"],
            spec["runtime"]["rules"][0]["action"]);
  EXPECT_EQ((*schema_at(root, "spec.runtime.maxActionsPerMinute"))["default"],
            spec["runtime"]["maxActionsPerMinute"]);
  auto with_taint = decode_security_policy(json::parse(R"({"apiVersion": "castellan.io/v1alpha1",
      "kind": "SecurityPolicy", "metadata": {"name": "d"},
      "spec": {"runtime": {"rules": [{"name": "r", "exec": {"names": ["sh"]}}],
               "responses": [{"rules": ["r"], "actions": ["TaintNode"], "taintNode": {}}]}}})"));
  ASSERT_TRUE(with_taint.ok()) << join(with_taint.errors);
  EXPECT_EQ((*schema_at(root, "spec.runtime.responses[].taintNode.effect"))["default"],
            to_json(with_taint.value.spec)["runtime"]["responses"][0]["taintNode"]["effect"]);
}

// Verifies the schema's podSecurity.version pattern and default accept exactly what the decoder
// accepts, so the API server and castellanctl agree on every version string.
TEST_F(CrdSchema, PodSecurityVersionPatternMatchesTheParser) {
  const json& version = *schema_at(schema_of(policy_crd_), "spec.podSecurity.version");
  const std::regex pattern(version["pattern"].get<std::string>());
  for (const char* text : {"latest", "v1.0", "v1.22", "v1.37", "v1.100", "v1.999999", "v1.01",
                           "v1.", "v2.1", "1.29", "v1.29.0", "Latest", "v1.-1", "v1.1000000", ""}) {
    EXPECT_EQ(std::regex_match(text, pattern), parse_pod_security_version(text).has_value())
        << text;
  }
  auto decoded = decode_security_policy(json::parse(R"({"apiVersion": "castellan.io/v1alpha1",
      "kind": "SecurityPolicy", "metadata": {"name": "d"}, "spec": {"podSecurity": {"level": "baseline"}}})"));
  ASSERT_TRUE(decoded.ok()) << join(decoded.errors);
  EXPECT_EQ(version["default"], to_json(decoded.value.spec)["podSecurity"]["version"]);
}

// Verifies the decoder knows every field the schema declares.
TEST_F(CrdSchema, DecoderKnowsEveryFieldOfTheSchema) {
  const json& root = schema_of(policy_crd_);
  json probe = {{"apiVersion", "castellan.io/v1alpha1"},
                {"kind", "SecurityPolicy"},
                {"metadata", {{"name", "probe"}}},
                {"spec", every_field(root["properties"]["spec"])},
                {"status", every_field(root["properties"]["status"])}};
  std::vector<std::string> unknown;
  for (const auto& e : decode_security_policy(probe).errors) {
    if (e.message == "unknown field") unknown.push_back(e.field);
  }
  EXPECT_THAT(unknown, ::testing::IsEmpty());
}

// Verifies the schema declares every field the C++ side writes, so none is pruned.
TEST_F(CrdSchema, SchemaCoversEverythingTheCodecWrites) {
  auto decoded = decode_security_policy(kFullPolicy);
  ASSERT_TRUE(decoded.ok()) << join(decoded.errors);
  std::vector<std::string> missing;
  check_covered(to_json(decoded.value)["spec"], schema_of(policy_crd_)["properties"]["spec"],
                "spec", missing);
  check_covered(kFullPolicy["spec"], schema_of(policy_crd_)["properties"]["spec"], "spec", missing);

  SecurityPolicyStatus status;
  status.conditions.push_back({"Ready", "True", "Compiled", "ok", "2026-01-01T00:00:00Z", 1});
  status.recentViolations.push_back({"t", "Pod", "ns", "web", "images.requireDigest", "m"});
  status.recentActions.push_back({"t", "Notify", "r", "ns", "pod", "node", "img", true, "m"});
  status.quarantinedDigests.push_back(
      {"sha256:" + std::string(64, '0'), "img@sha256:0", "r", "ns", "pod", "node", "t", "alert"});
  check_covered(to_json(status), schema_of(policy_crd_)["properties"]["status"], "status", missing);

  NodeSensorStatus sensor;
  sensor.observedGeneration = 1;
  sensor.kernel = "6.18";
  sensor.btf = true;
  sensor.programsAttached = {"exec"};
  sensor.rulesetHash = "hash";
  sensor.failedRulesetHash = "newer";
  sensor.rulesetError = "verifier";
  sensor.eventsSeen = 1;
  sensor.lastError = "err";
  sensor.lastHeartbeatTime = "t";
  sensor.heartbeatIntervalSeconds = 10;
  sensor.conditions = {{"Ready", "True", "Attached", "ok", "t", 1}};
  check_covered(to_json(sensor), schema_of(sensor_crd_)["properties"]["status"], "status", missing);
  EXPECT_THAT(missing, ::testing::IsEmpty());
}

// Verifies the printer columns are the ones asked for and point at declared fields.
TEST_F(CrdSchema, PrinterColumnsPointAtDeclaredFields) {
  auto names = [](const json& crd) {
    std::vector<std::string> out;
    for (const auto& c : version_of(crd)["additionalPrinterColumns"]) out.push_back(c["name"]);
    return out;
  };
  EXPECT_THAT(names(policy_crd_),
              ::testing::ElementsAre("Mode", "Ready", "Denied", "Alerts", "Sensors", "Age"));
  EXPECT_THAT(names(sensor_crd_),
              ::testing::ElementsAre("Kernel", "Ready", "Ruleset", "Alerts", "Drops", "Age"));
  for (const json* crd : {&policy_crd_, &sensor_crd_}) {
    for (const auto& column : version_of(*crd)["additionalPrinterColumns"]) {
      std::string path = column["jsonPath"];
      if (path == ".metadata.creationTimestamp") continue;
      // .status.conditions[?(@.type=="Ready")].status -> status.conditions[].status
      auto filter = path.find("[?(");
      if (filter != std::string::npos) {
        path = path.substr(0, filter) + "[]" + path.substr(path.find(")]", filter) + 2);
      }
      const json* field = schema_at(schema_of(*crd), path.substr(1));
      ASSERT_NE(field, nullptr) << path;
      EXPECT_EQ((*field)["type"], column["type"]) << path;
    }
  }
}

}  // namespace
}  // namespace castellan::api
