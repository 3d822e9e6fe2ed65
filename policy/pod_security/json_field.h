#pragma once
// Typed reads of one JSON field that tell "absent", "present" and "wrong type" apart,
// without throwing and without copying. JSON null counts as absent, as in Kubernetes.

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace castellan::policy::pss {

using nlohmann::json;

enum class FieldState { Absent, Present, Malformed };

template <typename T>
struct Field {
  FieldState state = FieldState::Absent;
  T value{};
  const json* raw = nullptr;  // the JSON value, when present or malformed

  bool absent() const { return state == FieldState::Absent; }
  bool present() const { return state == FieldState::Present; }
  bool malformed() const { return state == FieldState::Malformed; }
};

// `object[key]`, or nullptr when `object` is nullptr or not an object, the key is
// missing or its value is null.
const json* find_field(const json* object, std::string_view key);

Field<bool> read_bool(const json* object, std::string_view key);
Field<std::string_view> read_string(const json* object, std::string_view key);
// Integers only; a fraction such as 0.5 is malformed, as it is for the API server.
Field<int64_t> read_int(const json* object, std::string_view key);
Field<const json*> read_object(const json* object, std::string_view key);
Field<const json*> read_array(const json* object, std::string_view key);

// "a string (\"yes\")", "a number (1.5)", "an object", ... for messages.
std::string describe_value(const json& value);

}  // namespace castellan::policy::pss
