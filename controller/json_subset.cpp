#include "controller/json_subset.h"

namespace castellan::controller {

bool json_subset(const nlohmann::json& desired, const nlohmann::json& actual) {
  if (desired.is_object()) {
    if (!actual.is_object()) return false;
    for (const auto& [key, value] : desired.items()) {
      auto it = actual.find(key);
      if (it == actual.end() || !json_subset(value, *it)) return false;
    }
    return true;
  }
  if (desired.is_array()) {
    if (!actual.is_array() || actual.size() != desired.size()) return false;
    for (size_t i = 0; i < desired.size(); ++i) {
      if (!json_subset(desired[i], actual[i])) return false;
    }
    return true;
  }
  return desired == actual;
}

}  // namespace castellan::controller
