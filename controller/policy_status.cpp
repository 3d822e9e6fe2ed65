#include "controller/policy_status.h"

#include "api/conditions.h"

namespace castellan::controller {
namespace {

std::string join(const std::vector<std::string>& lines, const std::string& sep) {
  std::string out;
  for (const auto& line : lines) {
    if (!out.empty()) out += sep;
    out += line;
  }
  return out;
}

}  // namespace

bool update_policy_conditions(api::SecurityPolicy& policy, const PolicyObservation& observed,
                              const std::string& now) {
  const int64_t generation = policy.metadata.generation;
  auto& status = policy.status;
  bool changed = status.observedGeneration != generation;
  status.observedGeneration = generation;
  auto set = [&](const char* type, bool ok, const std::string& reason, const std::string& message) {
    changed |= api::set_condition(status.conditions,
                             {type, ok ? "True" : "False", reason, message, "", generation}, now);
  };

  const bool valid = observed.validation_errors.empty();
  const bool configured =
      !observed.needs_webhook ||
      (observed.configured_generation && *observed.configured_generation == generation);

  if (!valid) {
    set("WebhookConfigured", false, "InvalidSpec",
        "The spec is invalid; its webhook entries were not updated");
  } else if (!observed.needs_webhook) {
    set("WebhookConfigured", true, "NotNeeded",
        "The policy has no admission rules; no webhook entry is needed");
  } else if (configured) {
    set("WebhookConfigured", true, "Configured",
        "The webhook configurations serve generation " + std::to_string(generation));
  } else {
    set("WebhookConfigured", false, "Pending",
        "Waiting for the webhook configurations to serve generation " + std::to_string(generation));
  }

  if (!valid) {
    set("Ready", false, "InvalidSpec", join(observed.validation_errors, "; "));
  } else if (!configured) {
    set("Ready", false, "WebhookPending", "Waiting for the webhook configurations");
  } else {
    set("Ready", true, "Enforcing",
        std::string("The policy is active in ") + api::to_string(policy.spec.mode) + " mode");
  }

  if (!observed.has_runtime_rules) {
    set("SensorsSynced", true, "NotNeeded", "The policy has no runtime rules");
  } else if (observed.sensors) {
    set("SensorsSynced", observed.sensors->synced, observed.sensors->reason,
        observed.sensors->message);
  }

  if (!valid && observed.last_good_generation) {
    set("Degraded", true, "InvalidSpec",
        "Generation " + std::to_string(generation) + " is invalid; generation " +
            std::to_string(*observed.last_good_generation) + " is still enforced");
  } else if (!valid) {
    set("Degraded", true, "InvalidSpec",
        "The spec is invalid and no earlier generation is enforced");
  } else {
    set("Degraded", false, "AsExpected", "");
  }
  return changed;
}

}  // namespace castellan::controller
