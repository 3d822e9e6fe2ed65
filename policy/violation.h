#pragma once

#include <string>

namespace castellan::policy {

// One failed rule. `rule` ids: podSecurity.<level>.<control>, containers.<rule>, images.<rule>.
struct Violation {
  std::string rule;
  std::string message;  // names the container and field, says what to change
  std::string field;    // JSON-path-like location, e.g. spec.containers[0].securityContext.privileged
  // A quarantined image (images.quarantinedDigest) denies whatever the policy's mode: the
  // quarantine is a response already taken, not a rule being tried out in Audit or Warn.
  bool denies_in_every_mode = false;
};

}  // namespace castellan::policy
