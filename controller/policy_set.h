#pragma once
// PolicySet: the SecurityPolicies as this replica knows them, decoded and validated.
// An invalid generation never replaces the last good one, so admission keeps enforcing what
// the policy said before a bad edit. Pure state, no I/O; not thread-safe (one owner).

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "api/security_policy.h"

namespace castellan::controller {

struct PolicyState {
  api::ObjectMeta metadata;                      // of the latest version seen
  bool deleting = false;                         // metadata.deletionTimestamp is set
  bool has_finalizer = false;                    // carries kPolicyFinalizer (earlier releases)
  std::vector<std::string> errors;               // of the latest version; empty when valid
  std::optional<api::SecurityPolicy> last_good;  // the latest valid version
  api::SecurityPolicyStatus status;              // as stored
};

// Added by earlier releases, released by this one (see PolicyStatusReconciler).
inline constexpr const char* kPolicyFinalizer = "castellan.io/webhook-cleanup";

class PolicySet {
 public:
  // Adds or replaces a policy from its API object. Returns true when the policies in force
  // (those in_force() returns) changed.
  bool upsert(const nlohmann::json& object);
  // Returns true when the policies in force changed.
  bool erase(const std::string& name);

  // Last good version of every policy that is not being deleted, in name order.
  std::vector<api::SecurityPolicy> in_force() const;
  const std::map<std::string, PolicyState>& states() const { return states_; }
  const PolicyState* find(const std::string& name) const;

 private:
  std::map<std::string, PolicyState> states_;
};

}  // namespace castellan::controller
