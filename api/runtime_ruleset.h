#pragma once
// RuntimeRuleset: the runtime half of every SecurityPolicy, compiled by the controller into
// one versioned object that every sensor watches. It is a ConfigMap in Castellan's namespace
// (data: ruleset.json, hash): no extra CRD or RBAC, watchable by name, and far below the
// 1 MiB object limit (a rule is about 100 bytes).
//
// ruleset.json holds the policies that have runtime rules, as SecurityPolicy objects reduced
// to what sensors need (name, match, exclude, runtime rules), in name order, so the sensor
// decodes them with the same codec as policy files in standalone mode. Nothing else is kept:
// edits sensors do not act on (generation, mode, admission rules, responses) keep the hash.

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "api/security_policy.h"
#include "common/result.h"

namespace castellan::api {

inline constexpr const char* kRulesetConfigMapName = "castellan-runtime-ruleset";
inline constexpr const char* kRulesetDataKey = "ruleset.json";
inline constexpr const char* kRulesetHashKey = "hash";

struct RuntimeRuleset {
  std::string hash;  // "sha256:<hex>" of ruleset.json: what sensors report as loaded
  std::vector<SecurityPolicy> policies;
};

// Keeps the policies with runtime rules, reduced to what sensors need, and hashes them.
RuntimeRuleset build_runtime_ruleset(const std::vector<SecurityPolicy>& policies);

// The ruleset.json text (canonical: the hash is computed over exactly this text).
std::string ruleset_json(const RuntimeRuleset& ruleset);

// The ConfigMap carrying the ruleset.
nlohmann::json ruleset_configmap(const RuntimeRuleset& ruleset, const std::string& namespace_,
                                 const std::string& name = kRulesetConfigMapName);

// Decodes a ConfigMap written by ruleset_configmap. Errors name the key and the policy; a hash
// that does not match the content is an error (a half-written or hand-edited object).
Result<RuntimeRuleset> ruleset_from_configmap(const nlohmann::json& configmap);

}  // namespace castellan::api
