#pragma once
// Lenient reads of JSON objects as the API server returns them: a missing key, null, or a
// value of another type reads as empty. For code that tolerates what it does not need (the
// api/ decoders report such problems instead, through JsonReader).

#include <nlohmann/json.hpp>
#include <string>

namespace castellan {

// object[key] when it is a string, else "".
inline std::string string_field(const nlohmann::json& object, const char* key) {
  if (!object.is_object()) return {};
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// object[key] when it is an object, else an empty object.
inline const nlohmann::json& object_field(const nlohmann::json& object, const char* key) {
  static const nlohmann::json empty = nlohmann::json::object();
  if (!object.is_object()) return empty;
  auto it = object.find(key);
  return it != object.end() && it->is_object() ? *it : empty;
}

}  // namespace castellan
