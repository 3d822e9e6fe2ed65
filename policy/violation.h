#pragma once

#include <string>

namespace castellan::policy {

// One failed rule. `rule` ids: podSecurity.<level>.<control>, containers.<rule>, images.<rule>.
struct Violation {
  std::string rule;
  std::string message;  // names the container and field, says what to change
  std::string field;    // JSON-path-like location, e.g. spec.containers[0].securityContext.privileged
};

}  // namespace castellan::policy
