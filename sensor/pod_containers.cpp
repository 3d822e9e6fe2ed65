#include "sensor/pod_containers.h"

#include "common/json_fields.h"

namespace castellan::sensor {

Result<PodContainers> pod_containers_from_json(const nlohmann::json& pod) {
  if (!pod.is_object()) return Error::make("a Pod must be a JSON object", "Invalid");
  const auto& metadata = pod.contains("metadata") ? pod["metadata"] : nlohmann::json::object();
  PodContainers out;
  out.namespace_ = string_field(metadata, "namespace");
  out.name = string_field(metadata, "name");
  out.uid = string_field(metadata, "uid");
  if (out.name.empty() || out.namespace_.empty()) {
    return Error::make("Pod metadata.name and metadata.namespace are required", "Invalid");
  }
  if (pod.contains("spec") && pod["spec"].is_object()) out.node_name = string_field(pod["spec"], "nodeName");
  if (!pod.contains("status") || !pod["status"].is_object()) return out;
  const auto& status = pod["status"];
  for (const char* field : {"initContainerStatuses", "containerStatuses", "ephemeralContainerStatuses"}) {
    auto list = status.find(field);
    if (list == status.end()) continue;
    if (!list->is_array()) {
      return Error::make("Pod " + out.namespace_ + "/" + out.name + ": status." + field +
                         " must be a list", "Invalid");
    }
    for (size_t i = 0; i < list->size(); ++i) {
      const auto& entry = (*list)[i];
      if (!entry.is_object()) continue;
      std::string id = string_field(entry, "containerID");
      if (id.empty()) continue;
      auto ref = parse_container_id(id);
      if (!ref.ok()) {
        return Error::make("Pod " + out.namespace_ + "/" + out.name + ": status." + field + "[" +
                           std::to_string(i) + "].containerID: " + ref.error().message, "Invalid");
      }
      out.containers.push_back(PodContainer{string_field(entry, "name"), *ref});
    }
  }
  return out;
}

}  // namespace castellan::sensor
