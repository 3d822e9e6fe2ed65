#include "controller/sensor_health_reconciler.h"

#include "api/conditions.h"
#include "api/object_meta_codec.h"
#include "common/log.h"
#include "controller/sensor_fleet.h"
#include "controller/time_format.h"
#include "kube/resources.h"

namespace castellan::controller {

Status SensorHealthReconciler::reconcile(const std::vector<api::NodeSensor>& sensors,
                                         std::chrono::system_clock::time_point now) {
  Status first_error;
  for (auto sensor : sensors) {
    if (!heartbeat_missed(sensor.status, now) || !mark_silent(sensor, format_rfc3339(now)))
      continue;
    // Only the conditions, and only over the version judged silent: a sensor that came back
    // meanwhile wins (409), and its fields stay as it last wrote them.
    nlohmann::json patch = {{"metadata", {{"resourceVersion", sensor.metadata.resourceVersion}}},
                            {"status", {{"conditions", api::to_json(sensor.status.conditions)}}}};
    kube::PatchOptions options;
    options.subresource = "status";
    auto patched = api_->patch(kube::kNodeSensors, "", sensor.metadata.name, kube::PatchType::Merge,
                               patch.dump(), options);
    if (!patched) {
      if (patched.error().code == 404 || patched.error().code == 409) continue;
      log::warn("Failed to mark NodeSensor not ready",
                {{"node", sensor.metadata.name}, {"error", patched.error().message}});
      if (first_error.ok()) first_error = patched.error();
      continue;
    }
    log::warn("Marked NodeSensor not ready: its sensor stopped reporting",
              {{"node", sensor.metadata.name}, {"lastHeartbeat", sensor.status.lastHeartbeatTime}});
  }
  return first_error;
}

}  // namespace castellan::controller
