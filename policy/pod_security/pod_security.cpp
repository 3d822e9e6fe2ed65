#include "policy/pod_security/pod_security.h"

#include "policy/pod_security/baseline_checks.h"
#include "policy/pod_security/pod_view.h"
#include "policy/pod_security/restricted_checks.h"

namespace castellan::policy {

std::vector<Violation> check_pod_security(api::PodSecurityLevel level,
                                          const nlohmann::json& pod_metadata,
                                          const nlohmann::json& pod_spec) {
  std::vector<Violation> out;
  if (level == api::PodSecurityLevel::Privileged) return out;
  const bool restricted = level == api::PodSecurityLevel::Restricted;

  const pss::PodView pod(pod_metadata, pod_spec, out);
  if (pod.spec() == nullptr) return out;

  pss::check_host_process(pod, out);
  pss::check_host_namespaces(pod, out);
  pss::check_privileged(pod, out);
  pss::check_host_ports(pod, out);
  pss::check_app_armor(pod, out);
  pss::check_se_linux(pod, out);
  // Restricted keeps the default /proc masks even for pods in a user namespace.
  pss::check_proc_mount(pod, /*relax_user_namespaces=*/!restricted, out);
  pss::check_sysctls(pod, out);
  pss::check_host_probes_and_lifecycle_hooks(pod, out);
  if (!restricted) {
    // Restricted replaces these three with stricter controls over the same fields.
    pss::check_baseline_capabilities(pod, out);
    pss::check_host_path_volumes(pod, out);
    pss::check_baseline_seccomp(pod, out);
    return out;
  }

  pss::check_volume_types(pod, out);
  pss::check_allow_privilege_escalation(pod, out);
  pss::check_run_as_non_root(pod, out);
  pss::check_run_as_user(pod, out);
  pss::check_restricted_seccomp(pod, out);
  pss::check_restricted_capabilities(pod, out);
  return out;
}

}  // namespace castellan::policy
