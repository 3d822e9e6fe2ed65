#pragma once
// The baseline controls of the Pod Security Standards, one function per control.
// Each appends its violations to `out` and reads only the fields of its control.

#include <vector>

#include "policy/pod_security/pod_view.h"
#include "policy/pod_security/profile.h"
#include "policy/violation.h"

namespace castellan::policy::pss {

void check_host_process(const PodView& pod, std::vector<Violation>& out);
void check_host_namespaces(const PodView& pod, std::vector<Violation>& out);
void check_privileged(const PodView& pod, std::vector<Violation>& out);
void check_baseline_capabilities(const PodView& pod, std::vector<Violation>& out);
void check_host_path_volumes(const PodView& pod, std::vector<Violation>& out);
void check_host_ports(const PodView& pod, std::vector<Violation>& out);
void check_app_armor(const PodView& pod, std::vector<Violation>& out);
void check_se_linux(const PodView& pod, const Profile& profile, std::vector<Violation>& out);
// Baseline from 1.35 lets a pod with hostUsers=false use any procMount; restricted never does.
void check_proc_mount(const PodView& pod, const Profile& profile, std::vector<Violation>& out);
// From 1.19 the seccompProfile fields; before, the seccomp alpha annotations.
void check_baseline_seccomp(const PodView& pod, const Profile& profile,
                            std::vector<Violation>& out);
void check_sysctls(const PodView& pod, const Profile& profile, std::vector<Violation>& out);
void check_host_probes_and_lifecycle_hooks(const PodView& pod, std::vector<Violation>& out);

}  // namespace castellan::policy::pss
