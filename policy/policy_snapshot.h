#pragma once
// PolicySnapshot: an immutable, precompiled set of policies, evaluated against one resource.
// Shared by castellanctl check, the webhook (swapped atomically) and tests.
//
// Evaluation: the pod template is extracted (Pod or workload), policies are matched (see
// compiled_policy.h), and each matching policy checks the Pod Security Standards, its container
// rules and its image rules, including the digests its status quarantines. Violation fields are
// full paths in the object (spec.template.spec.containers[0].image for a Deployment).
// Mode governs the verdict (Enforce denies; Audit and Warn allow), except for a quarantined
// image, which denies in every mode.
// Pod Security Standards: the policy's level at its version (podSecurity.version), or with
// podSecurity.fromNamespaceLabels the namespace's enforce, warn and audit labels (see
// namespace_pod_security.h), each violation judged in the label's mode, never stronger than the
// policy's (an Audit policy denies nothing). A pod matching podSecurity.exemptions (requesting
// user, runtimeClassName, namespace) is not checked against the standards.
// Mutations: a policy with mutations gets a patch in every mode (mode governs the verdict, not
// mutation, as the mutating webhook applies them regardless); an empty array when nothing needs
// changing. Patches are chained in policy name order: each is computed on the object as the
// previous policies' patches left it, so their concatenation applies cleanly to the original.
// The snapshot is immutable: evaluate() may run on many threads at once without locks.

#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "api/security_policy.h"
#include "common/result.h"
#include "policy/violation.h"

namespace castellan::policy {

using Labels = std::map<std::string, std::string>;

// Supplies namespace labels for namespaceSelector. nullptr = namespace unknown.
class NamespaceLabelSource {
 public:
  virtual ~NamespaceLabelSource() = default;
  virtual const Labels* labels(const std::string& namespace_name) const = 0;
};

struct ResourceIdentity {
  std::string apiVersion;
  std::string kind;
  std::string namespace_;
  std::string name;
};

// The verdict of one matching policy on one resource.
struct PolicyEvaluation {
  std::string policy;
  api::Mode mode = api::Mode::Audit;
  // false for Enforce with violations, and in every mode for a violation that
  // denies_in_every_mode (images.quarantinedDigest)
  bool allowed = true;
  std::vector<Violation> violations;
  std::optional<nlohmann::json> patch;  // RFC 6902 array, present when the policy has mutations
};

struct ResourceEvaluation {
  ResourceIdentity resource;
  std::vector<PolicyEvaluation> results;  // one per matching policy, in policy name order
  std::string error;  // non-empty when the object is not a pod-bearing kind or malformed
};

struct EvaluateOptions {
  // false (default): violations are those of the object as given, which is what the validating
  // webhook must judge. true: violations are those of the object after every matching policy's
  // mutations, predicting what a cluster with the mutating webhook would admit.
  bool validate_mutated = false;
  // The requesting user (AdmissionReview request.userInfo.username), for
  // podSecurity.exemptions.usernames; empty when unknown (castellanctl without --user).
  std::string username = {};
};

// The mode that judges `violation` of `evaluation`: its own (Pod Security from namespace labels)
// or the policy's.
inline api::Mode mode_of(const PolicyEvaluation& evaluation, const Violation& violation) {
  return violation.mode.value_or(evaluation.mode);
}
// Whether `violation` denies the request: Enforce, or a quarantined image in every mode.
inline bool denies(const PolicyEvaluation& evaluation, const Violation& violation) {
  return violation.denies_in_every_mode || mode_of(evaluation, violation) == api::Mode::Enforce;
}

class PolicySnapshot;
using PolicySnapshotPtr = std::shared_ptr<const PolicySnapshot>;

class PolicySnapshot {
 public:
  // Policies must already be defaulted and valid (api::validate).
  // A policy that cannot be compiled (an invalid selector) matches nothing and is listed in
  // compile_errors().
  static PolicySnapshotPtr compile(std::vector<api::SecurityPolicy> policies, uint64_t generation = 0);
  // As compile(), but fails with every compile error instead.
  static Result<PolicySnapshotPtr> try_compile(std::vector<api::SecurityPolicy> policies,
                                               uint64_t generation = 0);

  // `object` is a Pod or a pod-bearing workload (Deployment, StatefulSet, DaemonSet, ReplicaSet,
  // ReplicationController, Job, CronJob, PodTemplate). `namespace_override` is used when the
  // object carries no namespace (admission requests give it separately).
  ResourceEvaluation evaluate(const nlohmann::json& object, const NamespaceLabelSource& namespaces,
                              const std::string& namespace_override = {},
                              const EvaluateOptions& options = {}) const;

  uint64_t generation() const;
  size_t size() const;
  const std::vector<api::SecurityPolicy>& policies() const;  // in name order
  const std::vector<std::string>& compile_errors() const;

  ~PolicySnapshot();
  struct Impl;
 private:
  explicit PolicySnapshot(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace castellan::policy
