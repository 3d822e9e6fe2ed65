#pragma once
// The benchmark's inputs: an AdmissionReview for a realistic Pod and a set of policies.

#include <string>
#include <vector>

#include "api/security_policy.h"

namespace castellan::bench {

// An admission.k8s.io/v1 AdmissionReview (CREATE) whose object is a Pod in namespace
// prod-payments with three containers: full security contexts, probes, env, mounts, volumes.
std::string admission_review_text();

// `count` policies that all match the Pod, mixing Pod Security levels, container and image
// rules, modes and mutations the way a real cluster's policy set does.
std::vector<api::SecurityPolicy> benchmark_policies(int count);

}  // namespace castellan::bench
