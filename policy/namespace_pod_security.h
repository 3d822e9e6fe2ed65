#pragma once
// The Pod Security Standards a namespace asks for through Pod Security admission's labels
// (podSecurity.fromNamespaceLabels), resolved as the admission plugin resolves them
// (k8s.io/pod-security-admission/api, PolicyToEvaluate):
//   pod-security.kubernetes.io/{enforce,audit,warn}          privileged | baseline | restricted
//   pod-security.kubernetes.io/{enforce,audit,warn}-version  latest | v1.N
// A missing label takes the default: the policy's level and version for enforce (privileged when
// the policy sets no level), privileged:latest for audit and warn. An invalid level is
// restricted for enforce and privileged for audit and warn; an invalid version is latest.

#include <map>
#include <string>
#include <string_view>

#include "api/security_policy.h"
#include "policy/pod_security/profile.h"

namespace castellan::policy {

inline constexpr std::string_view kPodSecurityLabelPrefix = "pod-security.kubernetes.io/";

struct NamespacePodSecurity {
  const pss::Profile* enforce = nullptr;  // never null
  const pss::Profile* audit = nullptr;    // never null
  const pss::Profile* warn = nullptr;     // never null
};

NamespacePodSecurity namespace_pod_security(const std::map<std::string, std::string>& labels,
                                            const api::PodSecuritySpec& defaults);

}  // namespace castellan::policy
