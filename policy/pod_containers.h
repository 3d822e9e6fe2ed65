#pragma once
// PodContainer: one entry of containers, initContainers or ephemeralContainers of a pod spec.

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace castellan::policy {

struct PodContainer {
  const char* list = "";  // containers | initContainers | ephemeralContainers
  size_t index = 0;
  const nlohmann::json* container = nullptr;

  // The container's name, or "<list>[<index>]" when it has none.
  std::string name() const;
  // Field path of the container, e.g. "spec.containers[1]" behind `field_prefix`.
  std::string field(const std::string& field_prefix) const;
  // The container member `key`, or nullptr when absent or when the container is not an object.
  const nlohmann::json* member(const char* key) const;
};

// Every container of `pod_spec` in list order; entries that are not objects are included so
// that rules can report them.
std::vector<PodContainer> pod_containers(const nlohmann::json& pod_spec, bool with_ephemeral);

}  // namespace castellan::policy
