#include "webhook/admission_handler.h"

#include <algorithm>

#include "webhook/patch_merge.h"

namespace castellan::webhook {
namespace {

using nlohmann::json;

// Cuts at a UTF-8 character boundary so the answer stays valid JSON text.
std::string truncate_utf8(std::string text, size_t max_bytes) {
  if (text.size() <= max_bytes) return text;
  size_t cut = max_bytes >= 3 ? max_bytes - 3 : 0;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  text.resize(cut);
  return text + "...";
}

// An auditAnnotations key: the API server prefixes it with the webhook name and requires a
// qualified name, so at most 63 characters of [A-Za-z0-9-_.], alphanumeric at both ends.
std::string annotation_key(const std::string& policy) {
  std::string key;
  for (char c : policy) {
    bool ok = std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
    key += ok ? c : '-';
    if (key.size() == 63) break;
  }
  while (!key.empty() && !std::isalnum(static_cast<unsigned char>(key.back()))) key.pop_back();
  while (!key.empty() && !std::isalnum(static_cast<unsigned char>(key.front()))) key.erase(0, 1);
  return key.empty() ? "policy" : key;
}

std::string object_name(const AdmissionRequest& request) {
  std::string name = request.name;
  if (name.empty()) {
    auto meta = request.object.find("metadata");
    if (meta != request.object.end() && meta->is_object()) {
      auto value = meta->find("name");
      auto generate = meta->find("generateName");
      if (value != meta->end() && value->is_string()) {
        name = value->get<std::string>();
      } else if (generate != meta->end() && generate->is_string()) {
        name = generate->get<std::string>() + "<generated>";
      }
    }
  }
  std::string ns = request.namespace_.empty() ? "" : request.namespace_ + "/";
  std::string kind = request.sub_resource.empty() ? request.kind : "Pod ephemeral containers of";
  return kind + " " + ns + (name.empty() ? "<unnamed>" : name);
}

const char* mode_name(api::Mode mode) { return api::to_string(mode); }

// `[rule]`, or `[rule, restricted:v1.29]` for a Pod Security violation judged at a pinned version
// or from namespace labels, so that a warning names the version it comes from.
std::string rule_tag(const policy::Violation& v) {
  const bool named =
      v.profile != nullptr && (v.mode || !std::string_view(v.profile).ends_with(":latest"));
  return "[" + v.rule + (named ? ", " + std::string(v.profile) : std::string()) + "]";
}

// A quarantined image denies in Audit and Warn too: such a request counts as denied.
std::string violation_verdict(const policy::PolicyEvaluation& result) {
  if (result.violations.empty()) return "passed";
  if (!result.allowed) return "denied";
  switch (result.mode) {
    case api::Mode::Enforce:  // allowed: only namespace-label violations in Warn or Audit
    case api::Mode::Warn:
      return "warned";
    case api::Mode::Audit:
      return "audited";
  }
  return "audited";
}

std::vector<std::string> failed_rules(const policy::PolicyEvaluation& result) {
  std::vector<std::string> rules;
  for (const auto& v : result.violations) rules.push_back(v.rule);
  return rules;
}

std::string audit_value(const policy::PolicyEvaluation& result) {
  json value = {{"mode", mode_name(result.mode)},
                {"allowed", result.allowed},
                {"rules", failed_rules(result)}};
  return value.dump(-1, ' ', false, json::error_handler_t::replace);
}

Error invalid_object(const AdmissionRequest& request, const std::string& why) {
  return Error::make("cannot evaluate " + object_name(request) + ": " + why, "InvalidObject", 400);
}

}  // namespace

Result<AdmissionOutcome> AdmissionHandler::validate(
    const AdmissionRequest& request, const policy::PolicySnapshot& snapshot,
    const policy::NamespaceLabelSource& namespaces) const {
  AdmissionOutcome out;
  out.response.uid = request.uid;
  if (!request.needs_evaluation) {
    out.verdict = "skipped";
    return out;
  }
  policy::EvaluateOptions options;
  options.username = request.username;
  policy::ResourceEvaluation evaluation =
      snapshot.evaluate(request.object, namespaces, request.namespace_, options);
  if (!evaluation.error.empty()) return invalid_object(request, evaluation.error);

  std::string denial;
  AdmissionStatus status;
  for (const auto& result : evaluation.results) {
    out.policies.push_back({result.policy, violation_verdict(result), failed_rules(result)});
    if (result.violations.empty()) continue;
    out.response.audit_annotations[annotation_key(result.policy)] = audit_value(result);

    // Outside Enforce only a quarantine denies; the policy's other violations stay warnings.
    // Pod Security from namespace labels judges each violation in its label's mode.
    const bool enforce = result.mode == api::Mode::Enforce;
    const auto denying = static_cast<size_t>(
        std::count_if(result.violations.begin(), result.violations.end(),
                      [&](const policy::Violation& v) { return policy::denies(result, v); }));
    const auto who = [&](const policy::Violation& v) {
      return "SecurityPolicy \"" + result.policy + "\" (" + mode_name(policy::mode_of(result, v)) +
             ")";
    };
    if (!result.allowed) {
      const bool enforcing =
          enforce || std::any_of(result.violations.begin(), result.violations.end(),
                                 [&](const policy::Violation& v) {
                                   return !v.denies_in_every_mode && policy::denies(result, v);
                                 });
      denial += denial.empty() ? object_name(request) + " violates " : ". It also violates ";
      denial += "SecurityPolicy \"" + result.policy + "\" (" +
                (enforcing ? std::string("Enforce")
                           : std::string(mode_name(result.mode)) + "; quarantined image") +
                "): ";
      size_t listed = 0;
      for (const auto& v : result.violations) {
        if (!policy::denies(result, v)) continue;
        if (listed == limits_.max_violations_listed) {
          denial += "; and " + std::to_string(denying - listed) + " more";
          break;
        }
        denial += (listed++ == 0 ? "" : "; ") + rule_tag(v) + " " + v.message;
        status.causes.push_back({"PolicyViolation", result.policy + "/" + v.rule + ": " + v.message,
                                 v.field});
      }
    }
    const size_t warnings = result.violations.size() - denying;
    size_t listed = 0;
    for (const auto& v : result.violations) {
      if (policy::denies(result, v)) continue;  // in the denial, not a warning
      if (listed++ == limits_.max_warnings_per_policy) {
        out.response.warnings.push_back(who(v) + ": and " + std::to_string(warnings - listed + 1) +
                                        " more violations");
        break;
      }
      out.response.warnings.push_back(
          truncate_utf8(who(v) + ": " + rule_tag(v) + " " + v.message, limits_.max_warning_bytes));
    }
  }

  if (!denial.empty()) {
    out.response.allowed = false;
    status.code = 403;
    status.reason = "Forbidden";
    status.message = std::move(denial);
    out.response.status = std::move(status);
    out.verdict = "denied";
  } else {
    out.verdict = out.response.warnings.empty() ? "allowed" : "warned";
  }
  return out;
}

Result<AdmissionOutcome> AdmissionHandler::mutate(
    const AdmissionRequest& request, const policy::PolicySnapshot& snapshot,
    const policy::NamespaceLabelSource& namespaces) const {
  AdmissionOutcome out;
  out.response.uid = request.uid;
  // A Pod's spec is immutable after creation: patching an UPDATE would fail every update.
  bool pod_update = request.kind == "Pod" && request.operation == "UPDATE" &&
                    request.sub_resource.empty();
  bool legacy_ephemeral = request.kind == "EphemeralContainers";
  if (!request.needs_evaluation || pod_update || legacy_ephemeral) {
    out.verdict = "skipped";
    return out;
  }
  policy::ResourceEvaluation evaluation =
      snapshot.evaluate(request.object, namespaces, request.namespace_);
  if (!evaluation.error.empty()) return invalid_object(request, evaluation.error);

  std::vector<PolicyPatch> patches;
  for (const auto& result : evaluation.results) {
    if (result.patch && result.patch->is_array() && !result.patch->empty()) {
      patches.push_back({result.policy, &*result.patch});
    }
  }
  CombinedPatch combined = combine_patches(request.object, patches);
  for (auto& error : combined.errors) {
    out.response.warnings.push_back(truncate_utf8(std::move(error), limits_.max_warning_bytes));
  }
  if (combined.patch && request.sub_resource == "ephemeralcontainers") {
    json kept = filter_patch(*combined.patch, "/spec/ephemeralContainers");
    combined.patch = kept.empty() ? std::nullopt : std::optional<json>(std::move(kept));
  }
  if (combined.patch) {
    for (const auto& p : patches) {
      out.policies.push_back({p.policy, "patched", {}});
      out.response.audit_annotations[annotation_key(p.policy)] =
          json({{"mutated", true}, {"operations", p.patch->size()}}).dump();
    }
    out.response.patch = std::move(combined.patch);
    out.verdict = "patched";
  } else {
    out.verdict = "allowed";
  }
  return out;
}

}  // namespace castellan::webhook
