#pragma once
// Answers a decoded AdmissionRequest from a policy snapshot: /validate decides, /mutate
// patches. Pure: no I/O, no side effects, the same answer for a dryRun request.

#include <string>
#include <vector>

#include "common/result.h"
#include "policy/policy_snapshot.h"
#include "webhook/admission_review.h"

namespace castellan::webhook {

// What happened, for metrics and for observers of admission decisions.
struct PolicyVerdict {
  std::string policy;
  // passed, denied (Enforce with violations, or a quarantined image in any mode), warned (Warn),
  // audited (Audit), patched
  std::string verdict;
  std::vector<std::string> rules;  // the failed rules
};

struct AdmissionOutcome {
  AdmissionResponse response;
  std::string verdict;  // allowed, denied, warned, patched, skipped
  std::vector<PolicyVerdict> policies;
};

struct HandlerLimits {
  size_t max_violations_listed = 20;  // per policy, in the denial message
  size_t max_warnings_per_policy = 10;
  size_t max_warning_bytes = 256;  // the API server may truncate longer warnings
};

class AdmissionHandler {
 public:
  explicit AdmissionHandler(HandlerLimits limits = {}) : limits_(limits) {}

  // Errors (code 400, reason InvalidObject) when the engine cannot read the object.
  Result<AdmissionOutcome> validate(const AdmissionRequest& request,
                                    const policy::PolicySnapshot& snapshot,
                                    const policy::NamespaceLabelSource& namespaces) const;
  Result<AdmissionOutcome> mutate(const AdmissionRequest& request,
                                  const policy::PolicySnapshot& snapshot,
                                  const policy::NamespaceLabelSource& namespaces) const;

 private:
  HandlerLimits limits_;
};

}  // namespace castellan::webhook
