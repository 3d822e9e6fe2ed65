#pragma once
// NodeSensorReporter: keeps the NodeSensor named after the node. Creates it when missing,
// then merge-patches its status subresource with what the sensor reports.

#include <string>

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

class NodeSensorReporter {
 public:
  NodeSensorReporter(kube::ApiClientPtr api, std::string node_name)
      : api_(std::move(api)), node_name_(std::move(node_name)) {}

  Status report(const api::NodeSensorStatus& status);

  static const kube::GroupVersionResource& gvr();

 private:
  Status ensure_exists();

  kube::ApiClientPtr api_;
  std::string node_name_;
  bool exists_ = false;
};

}  // namespace castellan::sensor
