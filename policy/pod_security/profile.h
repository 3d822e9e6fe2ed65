#pragma once
// Profile: one level of the Pod Security Standards at one policy version, as Pod Security
// admission's `enforce: <level>` + `enforce-version: <version>` labels select it.
//
// The controls that changed over time are data: each variant below applies from the policy
// version the reference declares for it (k8s.io/pod-security-admission, policy/check_*.go,
// VersionedCheck.MinimumVersion), and the safe sysctls carry the version that added each one
// (safe_lists.h). A profile is resolved once per (level, version); a check reads one bit of it,
// so a pinned version costs what `latest` costs.

#include <bitset>
#include <cstdint>

#include "api/security_policy.h"

namespace castellan::policy::pss {

// The newest policy version the reference defines: check_sysctls.go adds a safe list at 1.37.
// `latest`, and any v1.N newer than this, evaluate as this version, as the reference clamps them.
inline constexpr int kNewestMinor = 37;

// One variant of a control that differs between policy versions.
enum class Variant : uint8_t {
  SeccompFields,  // seccompProfile_baseline 1.19: the fields instead of the alpha annotations
  SeLinuxContainerEngine,    // seLinuxOptions 1.31: type container_engine_t allowed
  HostProbesAndLifecycle,    // hostProbesAndHostLifecycle 1.34: the control exists
  ProcMountUserNamespace,    // procMount 1.35: baseline allows any procMount with hostUsers=false
  AllowPrivilegeEscalation,  // allowPrivilegeEscalation 1.8: the control exists
  RestrictedSeccomp,         // seccompProfile_restricted 1.19: exists, overrides the baseline one
  RestrictedCapabilities,    // capabilities_restricted 1.22: exists, overrides the baseline one
  RunAsUser,                 // runAsUser 1.23: the control exists
  WindowsExemption,          // 1.25: allowPrivilegeEscalation, seccompProfile_restricted and
                             // capabilities_restricted skip pods with spec.os.name=windows
  RunAsUserNamespace,        // runAsNonRoot, runAsUser 1.35: skip pods with hostUsers=false
  kCount
};

struct VariantSince {
  Variant variant;
  int since_minor;  // the variant applies at policy version v1.<since_minor> and later
};

// The minimum version of every variant, transcribed from the reference's VersionedCheck lists.
inline constexpr VariantSince kVariantSince[] = {
    {Variant::AllowPrivilegeEscalation, 8},
    {Variant::SeccompFields, 19},
    {Variant::RestrictedSeccomp, 19},
    {Variant::RestrictedCapabilities, 22},
    {Variant::RunAsUser, 23},
    {Variant::WindowsExemption, 25},
    {Variant::SeLinuxContainerEngine, 31},
    {Variant::HostProbesAndLifecycle, 34},
    {Variant::ProcMountUserNamespace, 35},
    {Variant::RunAsUserNamespace, 35},
};

// The policy version whose behaviour applies: `latest`, and any version newer than the newest
// the reference defines, clamp to kNewestMinor as the reference clamps them.
inline int effective_minor(api::PodSecurityVersion version) {
  return version.latest || version.minor > kNewestMinor ? kNewestMinor : version.minor;
}

class Profile {
 public:
  Profile() = default;  // privileged, checks nothing
  // The profile for `level` at `version`; a reference to a table built once.
  static const Profile& of(api::PodSecurityLevel level, api::PodSecurityVersion version);

  api::PodSecurityLevel level() const { return level_; }
  bool restricted() const { return level_ == api::PodSecurityLevel::Restricted; }
  int minor() const { return minor_; }
  bool has(Variant v) const { return variants_.test(static_cast<size_t>(v)); }
  // How many entries of kSafeSysctls (ordered by the version that added them) are safe.
  size_t safe_sysctls() const { return safe_sysctls_; }
  // "restricted:v1.29" or "baseline:latest", as Pod Security admission names a policy.
  const char* name() const { return name_; }

 private:
  friend struct ProfileTable;
  Profile(api::PodSecurityLevel level, int minor, const char* name);

  api::PodSecurityLevel level_ = api::PodSecurityLevel::Privileged;
  int minor_ = kNewestMinor;
  std::bitset<static_cast<size_t>(Variant::kCount)> variants_;
  size_t safe_sysctls_ = 0;
  const char* name_ = "";
};

}  // namespace castellan::policy::pss
