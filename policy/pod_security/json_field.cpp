#include "policy/pod_security/json_field.h"

#include <limits>

namespace castellan::policy::pss {

namespace {

template <typename T>
Field<T> malformed(const json* raw) {
  Field<T> field;
  field.state = FieldState::Malformed;
  field.raw = raw;
  return field;
}

template <typename T>
Field<T> present(const json* raw, T value) {
  Field<T> field;
  field.state = FieldState::Present;
  field.raw = raw;
  field.value = value;
  return field;
}

}  // namespace

const json* find_field(const json* object, std::string_view key) {
  if (object == nullptr || !object->is_object()) return nullptr;
  auto it = object->find(key);
  if (it == object->end() || it->is_null()) return nullptr;
  return &*it;
}

Field<bool> read_bool(const json* object, std::string_view key) {
  const json* raw = find_field(object, key);
  if (raw == nullptr) return {};
  if (!raw->is_boolean()) return malformed<bool>(raw);
  return present(raw, raw->get<bool>());
}

Field<std::string_view> read_string(const json* object, std::string_view key) {
  const json* raw = find_field(object, key);
  if (raw == nullptr) return {};
  if (!raw->is_string()) return malformed<std::string_view>(raw);
  return present(raw, std::string_view(raw->get_ref<const std::string&>()));
}

Field<int64_t> read_int(const json* object, std::string_view key) {
  const json* raw = find_field(object, key);
  if (raw == nullptr) return {};
  if (raw->is_number_unsigned()) {
    const uint64_t value = raw->get<uint64_t>();
    const uint64_t max = static_cast<uint64_t>(std::numeric_limits<int64_t>::max());
    return present(raw, static_cast<int64_t>(value > max ? max : value));
  }
  if (raw->is_number_integer()) return present(raw, raw->get<int64_t>());
  return malformed<int64_t>(raw);
}

Field<const json*> read_object(const json* object, std::string_view key) {
  const json* raw = find_field(object, key);
  if (raw == nullptr) return {};
  if (!raw->is_object()) return malformed<const json*>(raw);
  return present(raw, raw);
}

Field<const json*> read_array(const json* object, std::string_view key) {
  const json* raw = find_field(object, key);
  if (raw == nullptr) return {};
  if (!raw->is_array()) return malformed<const json*>(raw);
  return present(raw, raw);
}

std::string describe_value(const json& value) {
  const auto dump = [&value] { return value.dump(-1, ' ', false, json::error_handler_t::replace); };
  switch (value.type()) {
    case json::value_t::string:
      return "a string (" + dump() + ")";
    case json::value_t::boolean:
      return std::string("a boolean (") + (value.get<bool>() ? "true" : "false") + ")";
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
    case json::value_t::number_float:
      return "a number (" + dump() + ")";
    case json::value_t::object:
      return "an object";
    case json::value_t::array:
      return "a list";
    case json::value_t::null:
      return "null";
    default:
      return "a value of an unexpected kind";
  }
}

}  // namespace castellan::policy::pss
