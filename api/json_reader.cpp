#include "api/json_reader.h"

namespace castellan::api {

std::string join(const FieldErrors& errors, const std::string& separator) {
  std::string out;
  for (const auto& error : errors) {
    if (!out.empty()) out += separator;
    out += error.str();
  }
  return out;
}

std::string child_path(const std::string& path, const std::string& key) {
  return path.empty() ? key : path + "." + key;
}

std::string index_path(const std::string& path, size_t index) {
  return path + "[" + std::to_string(index) + "]";
}

std::string describe(const nlohmann::json& value) {
  switch (value.type()) {
    case nlohmann::json::value_t::string:
      return "string " + value.dump();
    case nlohmann::json::value_t::boolean:
      return "boolean " + value.dump();
    case nlohmann::json::value_t::number_integer:
    case nlohmann::json::value_t::number_unsigned:
    case nlohmann::json::value_t::number_float:
      return "number " + value.dump();
    case nlohmann::json::value_t::object:
      return "an object";
    case nlohmann::json::value_t::array:
      return "an array";
    case nlohmann::json::value_t::null:
      return "null";
    default:
      return value.type_name();
  }
}

void set_if_not_empty(nlohmann::json& out, const char* key, const std::string& value) {
  if (!value.empty()) out[key] = value;
}

JsonReader::JsonReader(const nlohmann::json& value, std::string path, FieldErrors& errors)
    : path_(std::move(path)), errors_(errors) {
  if (value.is_object()) {
    object_ = &value;
  } else if (!value.is_null()) {
    errors_.push_back({path_, "must be an object, got " + describe(value)});
  }
}

bool JsonReader::has(const char* key) const {
  if (!object_) return false;
  auto it = object_->find(key);
  return it != object_->end() && !it->is_null();
}

const nlohmann::json* JsonReader::get(const char* key) {
  known_.insert(key);
  if (!object_) return nullptr;
  auto it = object_->find(key);
  if (it == object_->end() || it->is_null()) return nullptr;
  return &*it;
}

void JsonReader::type_error(const char* key, const char* expected, const nlohmann::json& got) {
  errors_.push_back(
      {child_path(path_, key), std::string("must be ") + expected + ", got " + describe(got)});
}

bool JsonReader::read(const char* key, std::string& out) {
  const auto* v = get(key);
  if (!v) return false;
  if (!v->is_string()) {
    type_error(key, "a string", *v);
    return false;
  }
  out = v->get<std::string>();
  return true;
}

bool JsonReader::read(const char* key, bool& out) {
  const auto* v = get(key);
  if (!v) return false;
  if (!v->is_boolean()) {
    type_error(key, "a boolean (true or false)", *v);
    return false;
  }
  out = v->get<bool>();
  return true;
}

bool JsonReader::read(const char* key, int64_t& out) {
  const auto* v = get(key);
  if (!v) return false;
  if (v->is_number_integer()) {
    out = v->get<int64_t>();
    return true;
  }
  if (v->is_number_unsigned()) {
    errors_.push_back({child_path(path_, key), "is out of range: " + v->dump()});
    return false;
  }
  type_error(key, "an integer", *v);
  return false;
}

bool JsonReader::read(const char* key, std::vector<std::string>& out) {
  const auto* v = get(key);
  if (!v) return false;
  if (!v->is_array()) {
    type_error(key, "a list of strings", *v);
    return false;
  }
  out.clear();
  bool ok = true;
  const std::string path = child_path(path_, key);
  for (size_t i = 0; i < v->size(); ++i) {
    const auto& item = (*v)[i];
    if (!item.is_string()) {
      errors_.push_back({index_path(path, i), "must be a string, got " + describe(item)});
      ok = false;
      continue;
    }
    out.push_back(item.get<std::string>());
  }
  // A partial list would shift the indices that validation reports.
  if (!ok) out.clear();
  return ok;
}

bool JsonReader::read(const char* key, std::map<std::string, std::string>& out) {
  const auto* v = get(key);
  if (!v) return false;
  if (!v->is_object()) {
    type_error(key, "a map of strings", *v);
    return false;
  }
  out.clear();
  bool ok = true;
  const std::string path = child_path(path_, key);
  for (const auto& [k, item] : v->items()) {
    if (!item.is_string()) {
      errors_.push_back({path + "[" + k + "]", "must be a string, got " + describe(item)});
      ok = false;
      continue;
    }
    out[k] = item.get<std::string>();
  }
  return ok;
}

const nlohmann::json* JsonReader::object(const char* key) {
  const auto* v = get(key);
  if (!v) return nullptr;
  if (!v->is_object()) {
    type_error(key, "an object", *v);
    return nullptr;
  }
  return v;
}

const nlohmann::json* JsonReader::array(const char* key) {
  const auto* v = get(key);
  if (!v) return nullptr;
  if (!v->is_array()) {
    type_error(key, "a list", *v);
    return nullptr;
  }
  return v;
}

void JsonReader::report_unknown_fields() {
  if (!object_) return;
  for (const auto& [key, value] : object_->items()) {
    if (!known_.count(key)) errors_.push_back({child_path(path_, key), "unknown field"});
  }
}

}  // namespace castellan::api
