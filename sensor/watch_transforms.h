#pragma once
// What node mode's caches keep of each watched object, so memory grows with the number of
// Pods and Namespaces but not with the size of their specs. Pure.

#include <nlohmann/json.hpp>

namespace castellan::sensor {

// metadata (name, namespace, uid, labels, resourceVersion), spec.nodeName, and the name and
// containerID of each entry of status.{initContainer,container,ephemeralContainer}Statuses.
nlohmann::json slim_pod(const nlohmann::json& pod);

// metadata (name, labels, resourceVersion).
nlohmann::json slim_namespace(const nlohmann::json& ns);

}  // namespace castellan::sensor
