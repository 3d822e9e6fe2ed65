#pragma once
// The conditions a SecurityPolicy reports, computed from what the reconciler observed.

#include <optional>
#include <string>
#include <vector>

#include "api/security_policy.h"
#include "controller/sensor_fleet.h"

namespace castellan::controller {

struct PolicyObservation {
  std::vector<std::string> validation_errors;  // empty when the spec is valid
  // Generation of this policy the webhook configurations serve (nullopt: none yet).
  std::optional<int64_t> configured_generation;
  bool needs_webhook = true;  // false when the policy has nothing for admission to check
  // Generation still enforced when the current one is invalid (nullopt: none).
  std::optional<int64_t> last_good_generation;
  bool has_runtime_rules = false;  // of the version in force
  // How the sensors stand (nullopt: unknown this time, SensorsSynced is left as it is).
  std::optional<SensorsSyncedCondition> sensors;
};

// Sets Ready, WebhookConfigured, SensorsSynced and Degraded (metav1.Condition shape, each with
// observedGeneration) and status.observedGeneration. Leaves counters alone.
// Returns true when the status changed.
bool update_policy_conditions(api::SecurityPolicy& policy, const PolicyObservation& observed,
                              const std::string& now);

}  // namespace castellan::controller
