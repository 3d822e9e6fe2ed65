#include "policy/pod_security/pod_security.h"

#include "policy/pod_security/baseline_checks.h"
#include "policy/pod_security/pod_view.h"
#include "policy/pod_security/restricted_checks.h"

namespace castellan::policy {

using pss::Variant;

std::vector<Violation> check_pod_security(const pss::Profile& profile,
                                          const nlohmann::json& pod_metadata,
                                          const nlohmann::json& pod_spec) {
  std::vector<Violation> out;
  if (profile.level() == api::PodSecurityLevel::Privileged) return out;
  const bool restricted = profile.restricted();

  const pss::PodView pod(pod_metadata, pod_spec, out);
  if (pod.spec() != nullptr) {
    pss::check_host_process(pod, out);
    pss::check_host_namespaces(pod, out);
    pss::check_privileged(pod, out);
    pss::check_host_ports(pod, out);
    pss::check_app_armor(pod, out);
    pss::check_se_linux(pod, profile, out);
    pss::check_proc_mount(pod, profile, out);
    pss::check_sysctls(pod, profile, out);
    if (profile.has(Variant::HostProbesAndLifecycle)) {
      pss::check_host_probes_and_lifecycle_hooks(pod, out);
    }
    // Restricted replaces these three with stricter controls over the same fields, from the
    // version at which each restricted control exists.
    if (!restricted || !profile.has(Variant::RestrictedCapabilities)) {
      pss::check_baseline_capabilities(pod, out);
    }
    if (!restricted) pss::check_host_path_volumes(pod, out);
    if (!restricted || !profile.has(Variant::RestrictedSeccomp)) {
      pss::check_baseline_seccomp(pod, profile, out);
    }
    if (restricted) {
      pss::check_volume_types(pod, out);
      if (profile.has(Variant::AllowPrivilegeEscalation)) {
        pss::check_allow_privilege_escalation(pod, profile, out);
      }
      pss::check_run_as_non_root(pod, profile, out);
      if (profile.has(Variant::RunAsUser)) pss::check_run_as_user(pod, profile, out);
      if (profile.has(Variant::RestrictedSeccomp)) pss::check_restricted_seccomp(pod, profile, out);
      if (profile.has(Variant::RestrictedCapabilities)) {
        pss::check_restricted_capabilities(pod, profile, out);
      }
    }
  }
  for (Violation& v : out) v.profile = profile.name();
  return out;
}

}  // namespace castellan::policy
