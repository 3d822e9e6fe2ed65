#pragma once
// The restricted controls of the Pod Security Standards, one function per control.
// Windows pods (spec.os.name=windows) are exempt where the reference exempts them.

#include <vector>

#include "policy/pod_security/pod_view.h"
#include "policy/violation.h"

namespace castellan::policy::pss {

void check_volume_types(const PodView& pod, std::vector<Violation>& out);
void check_allow_privilege_escalation(const PodView& pod, std::vector<Violation>& out);
void check_run_as_non_root(const PodView& pod, std::vector<Violation>& out);
void check_run_as_user(const PodView& pod, std::vector<Violation>& out);
void check_restricted_seccomp(const PodView& pod, std::vector<Violation>& out);
void check_restricted_capabilities(const PodView& pod, std::vector<Violation>& out);

}  // namespace castellan::policy::pss
