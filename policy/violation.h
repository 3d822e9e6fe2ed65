#pragma once

#include <optional>
#include <string>

#include "api/security_policy.h"

namespace castellan::policy {

// One failed rule. `rule` ids: podSecurity.<level>.<control>, containers.<rule>, images.<rule>.
struct Violation {
  std::string rule;
  std::string message;  // names the container and field, says what to change
  std::string field;    // JSON-path-like location, e.g. spec.containers[0].securityContext.privileged
  // A quarantined image (images.quarantinedDigest) denies whatever the policy's mode: the
  // quarantine is a response already taken, not a rule being tried out in Audit or Warn.
  bool denies_in_every_mode = false;
  // Pod Security Standards violations: the level and version that judged it, e.g.
  // "restricted:v1.29" (static storage); nullptr for other rules.
  const char* profile = nullptr;
  // The mode that judges this violation when it is not the policy's: Pod Security from namespace
  // labels (podSecurity.fromNamespaceLabels) judges by the label it came from.
  std::optional<api::Mode> mode = std::nullopt;
};

}  // namespace castellan::policy
