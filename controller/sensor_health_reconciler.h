#pragma once
// Marks the NodeSensors of silent sensors Ready=False (reason HeartbeatMissed), since a
// stopped sensor cannot say so itself. The sensor's next heartbeat sets Ready=True again.
// Leader only.

#include <chrono>
#include <vector>

#include "api/node_sensor.h"
#include "common/result.h"
#include "kube/api_client.h"

namespace castellan::controller {

class SensorHealthReconciler {
 public:
  explicit SensorHealthReconciler(kube::ApiClientPtr api) : api_(std::move(api)) {}

  // Returns the first error; the other sensors are still marked.
  Status reconcile(const std::vector<api::NodeSensor>& sensors,
                   std::chrono::system_clock::time_point now);

 private:
  kube::ApiClientPtr api_;
};

}  // namespace castellan::controller
