#pragma once
// The benchmark's inputs: an AdmissionReview for a realistic Pod and a set of policies.

#include <map>
#include <string>
#include <vector>

#include "api/security_policy.h"

namespace castellan::bench {

// An admission.k8s.io/v1 AdmissionReview (CREATE) whose object is a Pod in namespace
// prod-payments with three containers: full security contexts, probes, env, mounts, volumes.
std::string admission_review_text();

// `count` policies that all match the Pod, mixing Pod Security levels, container and image
// rules, modes and mutations the way a real cluster's policy set does.
// `pod_security` sets every policy's podSecurity.version, or with fromNamespaceLabels reads the
// level and version from the namespace's labels (kNamespacePodSecurityLabels).
std::vector<api::SecurityPolicy> benchmark_policies(int count,
                                                    api::PodSecuritySpec pod_security = {});

// The Pod Security admission labels of namespace prod-payments for the fromNamespaceLabels case:
// enforce restricted:v1.37, warn restricted:latest, as a cluster moving from PSA would have.
std::map<std::string, std::string> namespace_pod_security_labels();

}  // namespace castellan::bench
