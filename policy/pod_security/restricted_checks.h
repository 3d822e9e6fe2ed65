#pragma once
// The restricted controls of the Pod Security Standards, one function per control.
// Windows pods (spec.os.name=windows) and pods in a user namespace (hostUsers=false) are exempt
// where, and from the policy version at which, the reference exempts them (profile.h).

#include <vector>

#include "policy/pod_security/pod_view.h"
#include "policy/pod_security/profile.h"
#include "policy/violation.h"

namespace castellan::policy::pss {

void check_volume_types(const PodView& pod, std::vector<Violation>& out);
void check_allow_privilege_escalation(const PodView& pod, const Profile& profile,
                                      std::vector<Violation>& out);
void check_run_as_non_root(const PodView& pod, const Profile& profile, std::vector<Violation>& out);
void check_run_as_user(const PodView& pod, const Profile& profile, std::vector<Violation>& out);
void check_restricted_seccomp(const PodView& pod, const Profile& profile,
                              std::vector<Violation>& out);
void check_restricted_capabilities(const PodView& pod, const Profile& profile,
                                   std::vector<Violation>& out);

}  // namespace castellan::policy::pss
