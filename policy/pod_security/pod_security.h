#pragma once
// Pod Security Standards (latest), every control of baseline and restricted.
// Pure function over the pod's metadata and spec as Kubernetes serialises them.

#include <nlohmann/json.hpp>
#include <vector>

#include "api/security_policy.h"
#include "policy/violation.h"

namespace castellan::policy {

// Returns every violated control at `level` (restricted includes baseline).
// Rule ids are podSecurity.<level>.<control>, with <level> the level whose control failed
// (a baseline control failed under a restricted policy is podSecurity.baseline.<control>).
// `privileged` returns nothing. Malformed fields are violations, never exceptions.
std::vector<Violation> check_pod_security(api::PodSecurityLevel level,
                                          const nlohmann::json& pod_metadata,
                                          const nlohmann::json& pod_spec);

}  // namespace castellan::policy
