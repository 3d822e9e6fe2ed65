#pragma once
// Mutations: the RFC 6902 JSONPatch that applies a policy's `mutations` to one pod spec.
//
// Only adds, never overwrites: a field the user set (even runAsNonRoot: false) stays as it is,
// missing parents are created in the same operation, and an existing capabilities.drop list
// gets "ALL" appended only when absent.
//   runAsNonRoot                pod securityContext.runAsNonRoot: true
//   seccompRuntimeDefault       pod securityContext.seccompProfile.type: RuntimeDefault
//                               (skipped when the legacy seccomp pod annotation is set)
//   dropAllCapabilities         every container's securityContext.capabilities.drop gets ALL
//   disallowPrivilegeEscalation every container's securityContext.allowPrivilegeEscalation: false
//                               (skipped for privileged or SYS_ADMIN containers, which the API
//                               server would reject with it)
// Containers are containers, initContainers and ephemeralContainers.

#include <nlohmann/json.hpp>
#include <string>

#include "api/security_policy.h"

namespace castellan::policy {

// `spec_pointer` is the JSON pointer of `pod_spec` in the object ("/spec", "/spec/template/spec").
nlohmann::json build_mutation_patch(const api::Mutations& mutations,
                                    const nlohmann::json& pod_metadata,
                                    const nlohmann::json& pod_spec,
                                    const std::string& spec_pointer);

}  // namespace castellan::policy
