#pragma once
// NodeSensorReporter: keeps the NodeSensor named after the node. Creates it when missing,
// then merge-patches its status subresource with what the sensor reports. Conditions are kept
// between reports (and taken over from the object found at start), so that a condition's
// lastTransitionTime moves only when its status changes. status.observedGeneration and every
// condition's carry the object's metadata.generation, as kstatus (and Argo CD) expect.

#include <string>
#include <vector>

#include "api/node_sensor.h"
#include "common/result.h"
#include "kube/api_client.h"

namespace castellan::sensor {

// Kernel release (uname -r) and whether kernel BTF is present, for NodeSensor status.
struct HostFacts {
  std::string kernel;
  bool btf = false;
  static HostFacts probe();
};

// The Ready and RulesetLoaded conditions (no lastTransitionTime) of a status whose
// programsAttached, rulesetHash, failedRulesetHash and rulesetError are filled in.
// `missing_configmap` (namespace/name) is set while the ruleset ConfigMap does not exist. Pure.
std::vector<api::Condition> node_sensor_conditions(const api::NodeSensorStatus& status,
                                                   const std::string& missing_configmap = {});

class NodeSensorReporter {
 public:
  NodeSensorReporter(kube::ApiClientPtr api, std::string node_name)
      : api_(std::move(api)), node_name_(std::move(node_name)) {}

  // Writes `status`. Its conditions (lastTransitionTime not needed) are merged by type into
  // those written before; status.lastHeartbeatTime is the time of a transition. Fields left
  // empty are removed from the object (a cleared rulesetError must not linger).
  Status report(api::NodeSensorStatus status);

  // The conditions as last merged.
  const std::vector<api::Condition>& conditions() const { return conditions_; }


 private:
  Status ensure_exists();

  kube::ApiClientPtr api_;
  std::string node_name_;
  bool exists_ = false;
  int64_t generation_ = 0;  // metadata.generation as last read or written; 0 while unknown
  std::vector<api::Condition> conditions_;
};

}  // namespace castellan::sensor
