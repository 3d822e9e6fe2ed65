#pragma once
// Pod Security Standards, every control of baseline and restricted, at any policy version.
// Pure function over the pod's metadata and spec as Kubernetes serialises them.

#include <nlohmann/json.hpp>
#include <vector>

#include "api/security_policy.h"
#include "policy/pod_security/profile.h"
#include "policy/violation.h"

namespace castellan::policy {

// Rule ids, one per control: podSecurity.<level>.<control>.
namespace pss_rules {
inline constexpr const char* kHostProcess = "podSecurity.baseline.hostProcess";
inline constexpr const char* kHostNamespaces = "podSecurity.baseline.hostNamespaces";
inline constexpr const char* kPrivileged = "podSecurity.baseline.privileged";
inline constexpr const char* kBaselineCapabilities = "podSecurity.baseline.capabilities";
inline constexpr const char* kHostPathVolumes = "podSecurity.baseline.hostPathVolumes";
inline constexpr const char* kHostPorts = "podSecurity.baseline.hostPorts";
inline constexpr const char* kAppArmor = "podSecurity.baseline.appArmor";
inline constexpr const char* kSeLinux = "podSecurity.baseline.seLinux";
inline constexpr const char* kProcMount = "podSecurity.baseline.procMount";
inline constexpr const char* kBaselineSeccomp = "podSecurity.baseline.seccomp";
inline constexpr const char* kSysctls = "podSecurity.baseline.sysctls";
// Probes and lifecycle hooks must not set a host (baseline since Kubernetes 1.34).
inline constexpr const char* kHostProbesAndLifecycleHooks =
    "podSecurity.baseline.hostProbesAndLifecycleHooks";
// The pod spec itself is not shaped as Kubernetes requires (a list that is not a list, ...).
inline constexpr const char* kMalformedSpec = "podSecurity.baseline.malformedSpec";

inline constexpr const char* kVolumeTypes = "podSecurity.restricted.volumeTypes";
inline constexpr const char* kAllowPrivilegeEscalation =
    "podSecurity.restricted.allowPrivilegeEscalation";
inline constexpr const char* kRunAsNonRoot = "podSecurity.restricted.runAsNonRoot";
inline constexpr const char* kRunAsUser = "podSecurity.restricted.runAsUser";
inline constexpr const char* kRestrictedSeccomp = "podSecurity.restricted.seccomp";
inline constexpr const char* kRestrictedCapabilities = "podSecurity.restricted.capabilities";
}  // namespace pss_rules

// Returns every violated control of `profile` (restricted includes baseline), each control in
// the variant the profile's version selects.
// Rule ids are podSecurity.<level>.<control>, with <level> the level whose control failed
// (a baseline control failed under a restricted policy is podSecurity.baseline.<control>).
// As in the reference implementation, some restricted controls replace their baseline
// counterpart: volumeTypes replaces hostPathVolumes, restricted.capabilities (from 1.22) and
// restricted.seccomp (from 1.19) replace the baseline ones, and procMount is never relaxed.
// `privileged` returns nothing. Malformed fields are violations, never exceptions.
// Violation.field is relative to the pod: `spec.…` or `metadata.…`.
// Violation.profile names the profile.
std::vector<Violation> check_pod_security(const pss::Profile& profile,
                                          const nlohmann::json& pod_metadata,
                                          const nlohmann::json& pod_spec);

}  // namespace castellan::policy
