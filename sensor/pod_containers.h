#pragma once
// PodContainers: the running containers of a Pod object, as node mode needs them to map
// containers to cgroups. Pure.

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/result.h"
#include "sensor/container_cgroup.h"

namespace castellan::sensor {

struct PodContainer {
  std::string name;  // container name in the pod spec
  ContainerRef ref;
};

struct PodContainers {
  std::string namespace_;
  std::string name;
  std::string uid;
  std::string node_name;
  // From status.{initContainer,container,ephemeralContainer}Statuses; those without a
  // containerID (not started yet) are left out.
  std::vector<PodContainer> containers;
};

// Fails, naming the field, when metadata is missing or a containerID is malformed.
Result<PodContainers> pod_containers_from_json(const nlohmann::json& pod);

}  // namespace castellan::sensor
