#include "check_report.h"

#include <map>
#include <set>

#include "api/security_policy_codec.h"
#include "policy/static_namespace_labels.h"

namespace castellan::ctl {
namespace {

// kubectl applies namespaced objects without a namespace to "default".
constexpr const char* kDefaultNamespace = "default";

// Pod-bearing kinds and their API groups ("" is the core group); a Job of another group
// (a CRD) is not a batch Job and is skipped rather than misread.
const std::map<std::string, std::set<std::string>> kPodBearingKinds = {
    {"Pod", {""}},
    {"ReplicationController", {""}},
    {"PodTemplate", {""}},
    {"Deployment", {"apps", "extensions"}},
    {"StatefulSet", {"apps"}},
    {"DaemonSet", {"apps", "extensions"}},
    {"ReplicaSet", {"apps", "extensions"}},
    {"Job", {"batch"}},
    {"CronJob", {"batch"}}};

bool is_pod_bearing(const api::Manifest& m) {
  const auto found = kPodBearingKinds.find(m.kind());
  if (found == kPodBearingKinds.end()) return false;
  const std::string api_version = m.api_version();
  const auto slash = api_version.find('/');
  const std::string group = slash == std::string::npos ? "" : api_version.substr(0, slash);
  return found->second.count(group) > 0;
}

bool is_kustomization(const api::Manifest& m) {
  return m.kind() == "Kustomization" || m.kind() == "Component";
}

std::string describe(const api::Manifest& m) {
  std::string name = m.name().empty() ? "(unnamed)" : m.name();
  return m.kind() + " " + name;
}

Result<std::vector<api::SecurityPolicy>> decode_policies(const std::vector<api::Manifest>& inputs) {
  std::vector<api::SecurityPolicy> policies;
  std::vector<std::string> errors;
  std::set<std::string> names;
  for (const auto& m : inputs) {
    if (is_kustomization(m)) continue;  // kustomize build files sit beside policies
    if (m.kind() != api::kSecurityPolicyKind) {
      errors.push_back(m.location() + ": expected a SecurityPolicy (" + api::kApiVersion +
                       "), got " + m.api_version() + " " + m.kind());
      continue;
    }
    auto decoded = api::decode_security_policy(m.object);
    const std::string who = m.location() + ": SecurityPolicy \"" + m.name() + "\": ";
    for (const auto& e : decoded.errors) errors.push_back(who + e.str());
    if (!decoded.ok()) continue;
    if (!names.insert(decoded.value.metadata.name).second) {
      errors.push_back(who + "metadata.name: another policy already has this name");
      continue;
    }
    policies.push_back(std::move(decoded.value));
  }
  if (errors.empty() && policies.empty()) {
    errors.push_back("no SecurityPolicy found in the --policy paths");
  }
  if (!errors.empty()) {
    std::string message;
    for (const auto& e : errors) message += (message.empty() ? "" : "\n") + e;
    return Error::make(message, "Invalid");
  }
  return policies;
}

policy::Labels labels_of(const nlohmann::json& object) {
  policy::Labels labels;
  const auto meta = object.find("metadata");
  if (meta == object.end() || !meta->is_object()) return labels;
  const auto found = meta->find("labels");
  if (found == meta->end() || !found->is_object()) return labels;
  for (const auto& [k, v] : found->items()) {
    if (v.is_string()) labels[k] = v.get<std::string>();
  }
  return labels;
}

}  // namespace

Result<CheckReport> build_check_report(const std::vector<api::Manifest>& policy_inputs,
                                       const std::vector<api::Manifest>& resources,
                                       const CheckSettings& settings) {
  Result<std::vector<api::SecurityPolicy>> policies = std::vector<api::SecurityPolicy>{};
  if (!policy_inputs.empty() || settings.extra_policies.empty()) {
    policies = decode_policies(policy_inputs);
  }
  if (!policies.ok()) return policies.error();
  for (const auto& extra : settings.extra_policies) {
    const bool taken = std::any_of(policies->begin(), policies->end(), [&](const auto& p) {
      return p.metadata.name == extra.metadata.name;
    });
    if (taken)
      return Error::make("--pod-security: a policy is already named " + extra.metadata.name,
                         "Invalid");
    policies->push_back(extra);
  }
  CheckReport report;
  report.policies = policies->size();
  auto snapshot = policy::PolicySnapshot::try_compile(std::move(*policies));
  if (!snapshot.ok()) return Error::make("invalid policies: " + snapshot.error().message);

  policy::StaticNamespaceLabels namespaces;
  for (const auto& m : resources) {
    if (m.kind() == "Namespace" && m.api_version() == "v1") {
      auto labels = labels_of(m.object);
      labels["kubernetes.io/metadata.name"] = m.name();
      namespaces.set(m.name(), std::move(labels));
    }
  }

  std::vector<std::string> errors;
  for (const auto& m : resources) {
    if (!is_pod_bearing(m)) {
      if (m.kind() != "Namespace" && !is_kustomization(m)) {
        report.skipped.push_back(describe(m) + " (" + m.location() + ")");
      }
      continue;
    }
    policy::EvaluateOptions evaluate_options;
    evaluate_options.username = settings.username;
    auto evaluation =
        (*snapshot)->evaluate(m.object, namespaces, kDefaultNamespace, evaluate_options);
    if (!evaluation.error.empty()) {
      errors.push_back(m.location() + ": " + describe(m) + ": " + evaluation.error);
      continue;
    }
    ++report.resources;
    if (evaluation.results.empty()) {
      report.unmatched.push_back({evaluation.resource, m.source});
    }
    for (auto& result : evaluation.results) {
      if (!result.allowed) ++report.denied;
      if (result.allowed && !result.violations.empty()) ++report.warned;
      report.results.push_back({evaluation.resource, m.source, std::move(result)});
    }
  }
  if (!errors.empty()) {
    std::string message;
    for (const auto& e : errors) message += (message.empty() ? "" : "\n") + e;
    return Error::make(message, "Invalid");
  }
  return report;
}

}  // namespace castellan::ctl
