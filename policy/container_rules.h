#pragma once
// Container rules beyond the Pod Security Standards (spec.containers of a SecurityPolicy).
//   containers.requireResourceLimits          cpu and memory limits on containers and init
//                                             containers (ephemeral containers cannot have any)
//   containers.requireReadOnlyRootFilesystem  securityContext.readOnlyRootFilesystem: true on
//                                             every container, ephemeral ones included

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "api/security_policy.h"
#include "policy/violation.h"

namespace castellan::policy {

// Violation fields are full paths behind `field_prefix` (see PodTemplate::field_prefix).
std::vector<Violation> check_container_rules(const api::ContainerRules& rules,
                                             const nlohmann::json& pod_spec,
                                             const std::string& field_prefix);

}  // namespace castellan::policy
