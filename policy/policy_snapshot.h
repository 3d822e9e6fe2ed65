#pragma once
// PolicySnapshot: an immutable, precompiled set of policies, evaluated against one resource.
// Shared by castellanctl check, the webhook (swapped atomically) and tests.

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
  bool allowed = true;  // false only for Enforce with violations
  std::vector<Violation> violations;
  std::optional<nlohmann::json> patch;  // RFC 6902 array, present when the policy has mutations
};

struct ResourceEvaluation {
  ResourceIdentity resource;
  std::vector<PolicyEvaluation> results;  // one per matching policy, in policy name order
  std::string error;  // non-empty when the object is not a pod-bearing kind or malformed
};

class PolicySnapshot;
using PolicySnapshotPtr = std::shared_ptr<const PolicySnapshot>;

class PolicySnapshot {
 public:
  // Policies must already be defaulted and valid (api::validate).
  static PolicySnapshotPtr compile(std::vector<api::SecurityPolicy> policies, uint64_t generation = 0);

  // `object` is a Pod or a pod-bearing workload (Deployment, StatefulSet, DaemonSet, ReplicaSet,
  // ReplicationController, Job, CronJob, PodTemplate). `namespace_override` is used when the
  // object carries no namespace (admission requests give it separately).
  ResourceEvaluation evaluate(const nlohmann::json& object, const NamespaceLabelSource& namespaces,
                              const std::string& namespace_override = {}) const;

  uint64_t generation() const;
  size_t size() const;
  const std::vector<api::SecurityPolicy>& policies() const;

  ~PolicySnapshot();
  struct Impl;
 private:
  explicit PolicySnapshot(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace castellan::policy
