#pragma once
// SecurityPolicy from and to JSON: parsing, defaulting and validation.
//
//   auto decoded = api::decode_security_policy(object);   // object: parsed YAML or JSON
//   if (!decoded.ok()) for (auto& e : decoded.errors) std::cerr << e.str() << "\n";
//
// Defaults (as the CRD schema declares them): spec.mode Audit, spec.failurePolicy Fail,
// spec.exclude.namespaces [kube-system] when spec.exclude.namespaces is absent (an explicit
// empty list excludes nothing), runtime rule action Alert, spec.runtime.maxActionsPerMinute 10,
// taintNode.effect NoSchedule.

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/field_error.h"
#include "api/security_policy.h"
#include "common/result.h"

namespace castellan::api {

// A decoded value and every problem found in it; the value is usable only when ok().
template <typename T>
struct Decoded {
  T value{};
  FieldErrors errors;
  bool ok() const { return errors.empty(); }
};

// Parses apiVersion, kind, metadata, spec and status, applies the defaults and runs validate().
// Wrong types, unknown enum values and unknown fields (anywhere under spec, and at the top
// level) are errors with their field path. Never throws.
Decoded<SecurityPolicy> decode_security_policy(const nlohmann::json& object);

// decode_security_policy() as a Result; the error message lists every problem, one per line.
Result<SecurityPolicy> parse_security_policy(const nlohmann::json& object);

// Semantic checks on a decoded, defaulted policy; returns every problem at once: name,
// label selectors, namespace globs, registry patterns, digests, runtime rules and responses.
FieldErrors validate(const SecurityPolicy& policy);

// Inverse of decode_security_policy (defaults included); fields at their zero value are omitted
// except the defaulted enums.
nlohmann::json to_json(const SecurityPolicy& policy);
nlohmann::json to_json(const SecurityPolicySpec& spec);
// The status as the API server stores it (the `status` subresource body).
nlohmann::json to_json(const SecurityPolicyStatus& status);
SecurityPolicyStatus decode_security_policy_status(const nlohmann::json& status,
                                                   const std::string& path, FieldErrors& errors);

// The accepted spellings of each enum, in the order the CRD lists them (case-sensitive).
const std::vector<std::string>& mode_values();                // Enforce, Audit, Warn
const std::vector<std::string>& failure_policy_values();      // Fail, Ignore
const std::vector<std::string>& pod_security_level_values();  // privileged, baseline, restricted
const std::vector<std::string>& runtime_action_values();      // Alert, Kill
const std::vector<std::string>& response_action_values();     // DeletePod ... Notify
const std::vector<std::string>& taint_effect_values();  // NoSchedule, PreferNoSchedule, NoExecute
const std::vector<std::string>& selector_operator_values();   // In, NotIn, Exists, DoesNotExist

std::optional<Mode> parse_mode(std::string_view s);
std::optional<FailurePolicy> parse_failure_policy(std::string_view s);
std::optional<PodSecurityLevel> parse_pod_security_level(std::string_view s);
// "latest" or "v1.N" (N a decimal without leading zeros), as Pod Security admission accepts.
std::optional<PodSecurityVersion> parse_pod_security_version(std::string_view s);
std::optional<RuntimeAction> parse_runtime_action(std::string_view s);
std::optional<ResponseAction> parse_response_action(std::string_view s);
std::optional<TaintEffect> parse_taint_effect(std::string_view s);

}  // namespace castellan::api
