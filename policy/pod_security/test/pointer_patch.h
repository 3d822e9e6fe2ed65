#pragma once
// Test support: a pod changed by {"/json/pointer": value} pairs; the value "<delete>" removes
// the field. The Pod Security tests describe their cases this way.

#include <nlohmann/json.hpp>

namespace castellan::policy::pss {

inline nlohmann::json apply_pointer_patch(nlohmann::json pod, const nlohmann::json& patch) {
  for (const auto& [pointer_text, value] : patch.items()) {
    const nlohmann::json::json_pointer pointer(pointer_text);
    if (value == "<delete>") {
      pod[pointer.parent_pointer()].erase(pointer.back());
    } else {
      pod[pointer] = value;
    }
  }
  return pod;
}

}  // namespace castellan::policy::pss
