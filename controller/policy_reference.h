#pragma once
// The object reference Events about a SecurityPolicy name.

#include "api/object_meta.h"
#include "api/security_policy.h"
#include "kube/event_recorder.h"

namespace castellan::controller {

inline kube::ObjectReference policy_reference(const api::ObjectMeta& metadata) {
  kube::ObjectReference ref;
  ref.api_version = api::kApiVersion;
  ref.kind = api::kSecurityPolicyKind;
  ref.name = metadata.name;
  ref.uid = metadata.uid;
  return ref;
}

}  // namespace castellan::controller
