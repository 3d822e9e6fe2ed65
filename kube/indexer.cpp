#include "kube/indexer.h"

namespace castellan::kube {

Result<Store<nlohmann::json>::IndexFunc> json_field_index(const std::string& pointer) {
  nlohmann::json::json_pointer ptr;
  try {
    ptr = nlohmann::json::json_pointer(pointer);
  } catch (const nlohmann::json::exception& e) {
    return Error::make("invalid JSON pointer \"" + pointer + "\" for an index: " + e.what(),
                       "Invalid");
  }
  return Store<nlohmann::json>::IndexFunc([ptr](const std::string&, const nlohmann::json& object) {
    const nlohmann::json* found = nullptr;
    try {
      if (object.contains(ptr)) found = &object.at(ptr);
    } catch (const nlohmann::json::exception&) {
      found = nullptr;  // a path through an array with a non-numeric token: not present
    }
    if (found == nullptr) return std::vector<std::string>{};
    const auto& value = *found;
    if (!value.is_string() || value.get_ref<const std::string&>().empty()) {
      return std::vector<std::string>{};
    }
    return std::vector<std::string>{value.get<std::string>()};
  });
}

Store<nlohmann::json>::IndexFunc json_label_index(const std::string& label) {
  return [label](const std::string&, const nlohmann::json& object) {
    auto metadata = object.find("metadata");
    if (metadata == object.end() || !metadata->is_object()) return std::vector<std::string>{};
    auto labels = metadata->find("labels");
    if (labels == metadata->end() || !labels->is_object()) return std::vector<std::string>{};
    auto value = labels->find(label);
    if (value == labels->end() || !value->is_string()) return std::vector<std::string>{};
    return std::vector<std::string>{value->get<std::string>()};
  };
}

}  // namespace castellan::kube
