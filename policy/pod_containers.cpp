#include "policy/pod_containers.h"

#include <string_view>

namespace castellan::policy {

std::string PodContainer::name() const {
  if (container != nullptr && container->is_object()) {
    const auto it = container->find("name");
    if (it != container->end() && it->is_string() && !it->get_ref<const std::string&>().empty()) {
      return it->get<std::string>();
    }
  }
  return std::string(list) + "[" + std::to_string(index) + "]";
}

std::string PodContainer::field(const std::string& field_prefix) const {
  return field_prefix + "spec." + list + "[" + std::to_string(index) + "]";
}

const nlohmann::json* PodContainer::member(const char* key) const {
  if (container == nullptr || !container->is_object()) return nullptr;
  const auto it = container->find(key);
  return it == container->end() ? nullptr : &*it;
}

std::vector<PodContainer> pod_containers(const nlohmann::json& pod_spec, bool with_ephemeral) {
  std::vector<PodContainer> out;
  if (!pod_spec.is_object()) return out;
  for (const char* list : {"containers", "initContainers", "ephemeralContainers"}) {
    if (!with_ephemeral && std::string_view(list) == "ephemeralContainers") continue;
    const auto it = pod_spec.find(list);
    if (it == pod_spec.end() || !it->is_array()) continue;
    for (size_t i = 0; i < it->size(); ++i) out.push_back({list, i, &(*it)[i]});
  }
  return out;
}

}  // namespace castellan::policy
