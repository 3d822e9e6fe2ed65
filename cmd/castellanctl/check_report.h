#pragma once
// CheckReport: the verdicts of `castellanctl check`, built from loaded manifests without I/O.

#include <string>
#include <vector>

#include "api/manifest_loader.h"
#include "common/result.h"
#include "policy/policy_snapshot.h"

namespace castellan::ctl {

// One (resource, matching policy) verdict.
struct CheckResult {
  policy::ResourceIdentity resource;
  std::string source;  // the file the resource came from
  policy::PolicyEvaluation evaluation;
};

// A checked resource that no policy matched (shown in the table, absent from JSON results).
struct UnmatchedResource {
  policy::ResourceIdentity resource;
  std::string source;
};

struct CheckReport {
  std::vector<CheckResult> results;
  std::vector<UnmatchedResource> unmatched;
  std::vector<std::string> skipped;  // "Service web (examples/web.yaml, document 2)"
  size_t policies = 0;
  size_t resources = 0;  // pod-bearing resources evaluated
  size_t denied = 0;     // evaluations with allowed == false (Enforce, or a quarantined image)
  size_t warned = 0;     // allowed evaluations with violations (Audit, Warn)
};

struct CheckSettings {
  std::vector<api::SecurityPolicy> extra_policies;  // from flags (--pod-security), already valid
  std::string username;                             // --user
};

// Decodes the policies and evaluates every pod-bearing resource. Fails with every problem (one
// per line, each naming file and document) when a policy or resource is bad input.
Result<CheckReport> build_check_report(const std::vector<api::Manifest>& policies,
                                       const std::vector<api::Manifest>& resources,
                                       const CheckSettings& settings = {});

}  // namespace castellan::ctl
