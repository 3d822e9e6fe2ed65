#include "sensor/watch_transforms.h"

namespace castellan::sensor {
namespace {

nlohmann::json pick(const nlohmann::json& object, std::initializer_list<const char*> keys) {
  nlohmann::json out = nlohmann::json::object();
  if (!object.is_object()) return out;
  for (const char* key : keys) {
    if (auto it = object.find(key); it != object.end()) out[key] = *it;
  }
  return out;
}

nlohmann::json slim_metadata(const nlohmann::json& object) {
  auto it = object.is_object() ? object.find("metadata") : object.end();
  if (!object.is_object() || it == object.end()) return nlohmann::json::object();
  return pick(*it, {"name", "namespace", "uid", "labels", "resourceVersion"});
}

}  // namespace

nlohmann::json slim_pod(const nlohmann::json& pod) {
  nlohmann::json out = pick(pod, {"apiVersion", "kind"});
  out["metadata"] = slim_metadata(pod);
  if (pod.is_object() && pod.contains("spec")) out["spec"] = pick(pod["spec"], {"nodeName"});
  if (!pod.is_object() || !pod.contains("status") || !pod["status"].is_object()) return out;
  nlohmann::json status = nlohmann::json::object();
  for (const char* field : {"initContainerStatuses", "containerStatuses", "ephemeralContainerStatuses"}) {
    auto list = pod["status"].find(field);
    if (list == pod["status"].end()) continue;
    if (!list->is_array()) {
      status[field] = *list;  // left for pod_containers_from_json to report
      continue;
    }
    nlohmann::json entries = nlohmann::json::array();
    for (const auto& entry : *list) entries.push_back(pick(entry, {"name", "containerID"}));
    status[field] = std::move(entries);
  }
  out["status"] = std::move(status);
  return out;
}

nlohmann::json slim_namespace(const nlohmann::json& ns) {
  nlohmann::json out = pick(ns, {"apiVersion", "kind"});
  out["metadata"] = slim_metadata(ns);
  out["metadata"].erase("namespace");
  out["metadata"].erase("uid");
  return out;
}

}  // namespace castellan::sensor
