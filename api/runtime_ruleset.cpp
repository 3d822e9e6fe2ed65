#include "api/runtime_ruleset.h"

#include <openssl/evp.h>

#include <algorithm>
#include <cstdio>

#include "api/security_policy_codec.h"

namespace castellan::api {
namespace {

using nlohmann::json;

std::string sha256_hex(const std::string& text) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(text.data(), text.size(), digest, &length, EVP_sha256(), nullptr);
  std::string hex;
  hex.reserve(length * 2);
  char buf[3];
  for (unsigned int i = 0; i < length; ++i) {
    std::snprintf(buf, sizeof buf, "%02x", digest[i]);
    hex += buf;
  }
  return hex;
}

SecurityPolicy reduce(const SecurityPolicy& policy) {
  SecurityPolicy out;
  out.metadata.name = policy.metadata.name;
  out.spec.match = policy.spec.match;
  out.spec.exclude = policy.spec.exclude;
  // Responses are the controller's: editing them must not make every sensor reload.
  out.spec.runtime.rules = policy.spec.runtime.rules;
  return out;
}

}  // namespace

std::string ruleset_json(const RuntimeRuleset& ruleset) {
  json policies = json::array();
  for (const auto& policy : ruleset.policies) policies.push_back(to_json(policy));
  return json{{"policies", policies}}.dump();
}

RuntimeRuleset build_runtime_ruleset(const std::vector<SecurityPolicy>& policies) {
  RuntimeRuleset ruleset;
  for (const auto& policy : policies) {
    if (!policy.spec.runtime.rules.empty()) ruleset.policies.push_back(reduce(policy));
  }
  std::sort(ruleset.policies.begin(), ruleset.policies.end(),
            [](const SecurityPolicy& a, const SecurityPolicy& b) {
              return a.metadata.name < b.metadata.name;
            });
  ruleset.hash = "sha256:" + sha256_hex(ruleset_json(ruleset));
  return ruleset;
}

json ruleset_configmap(const RuntimeRuleset& ruleset, const std::string& namespace_,
                       const std::string& name) {
  return {{"apiVersion", "v1"},
          {"kind", "ConfigMap"},
          {"metadata",
           {{"name", name},
            {"namespace", namespace_},
            {"labels", {{"app.kubernetes.io/managed-by", "castellan"}}}}},
          {"data", {{kRulesetDataKey, ruleset_json(ruleset)}, {kRulesetHashKey, ruleset.hash}}}};
}

Result<RuntimeRuleset> ruleset_from_configmap(const json& configmap) {
  auto data = configmap.find("data");
  if (data == configmap.end() || !data->is_object()) {
    return Error::make("runtime ruleset ConfigMap has no data");
  }
  auto text = data->find(kRulesetDataKey);
  if (text == data->end() || !text->is_string()) {
    return Error::make(std::string("runtime ruleset ConfigMap has no data.") + kRulesetDataKey);
  }
  RuntimeRuleset ruleset;
  ruleset.hash = data->value(kRulesetHashKey, "");
  std::string actual = "sha256:" + sha256_hex(text->get<std::string>());
  if (ruleset.hash != actual) {
    return Error::make("runtime ruleset hash " + ruleset.hash + " does not match its content (" +
                       actual + ")");
  }
  json parsed = json::parse(text->get<std::string>(), nullptr, false);
  if (!parsed.is_object() || !parsed.contains("policies") || !parsed["policies"].is_array()) {
    return Error::make(std::string("data.") + kRulesetDataKey + " is not {\"policies\": [...]}");
  }
  for (size_t i = 0; i < parsed["policies"].size(); ++i) {
    auto decoded = decode_security_policy(parsed["policies"][i]);
    if (!decoded.ok()) {
      return Error::make(std::string("data.") + kRulesetDataKey + ": policies[" +
                         std::to_string(i) + "]: " + join(decoded.errors, "; "));
    }
    ruleset.policies.push_back(std::move(decoded.value));
  }
  return ruleset;
}

}  // namespace castellan::api
