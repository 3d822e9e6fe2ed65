#pragma once
// JsonReader: typed, path-tracking access to one JSON object for the api/ decoders.
// Every problem (wrong type, unknown field) is appended to a FieldErrors; nothing throws.

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "api/field_error.h"

namespace castellan::api {

// "a.b" + "c" -> "a.b.c"; "" + "c" -> "c".
std::string child_path(const std::string& path, const std::string& key);
// "a.b" + 2 -> "a.b[2]".
std::string index_path(const std::string& path, size_t index);
// A short description of a JSON value for messages: string "x", number 5, object, ...
std::string describe(const nlohmann::json& value);

// Sets out[key] = value unless value is empty. Status bodies omit empty strings: absent and
// empty decode alike, and some API server builds store "" as null and then reject it.
void set_if_not_empty(nlohmann::json& out, const char* key, const std::string& value);

class JsonReader {
 public:
  // `value` must outlive the reader. A non-object value is reported once at `path`.
  JsonReader(const nlohmann::json& value, std::string path, FieldErrors& errors);

  bool valid() const { return object_ != nullptr; }
  const std::string& path() const { return path_; }
  FieldErrors& errors() { return errors_; }

  // Each accessor marks `key` as known. Absent or null keys leave `out` untouched and
  // return false; present keys of the wrong type are reported and return false.
  bool read(const char* key, std::string& out);
  bool read(const char* key, bool& out);
  bool read(const char* key, int64_t& out);
  bool read(const char* key, std::vector<std::string>& out);
  bool read(const char* key, std::map<std::string, std::string>& out);

  // The raw value of an object-typed key (nullptr when absent, null or not an object).
  const nlohmann::json* object(const char* key);
  // The raw value of an array-typed key (nullptr when absent, null or not an array).
  const nlohmann::json* array(const char* key);
  // Marks `key` as known without reading it.
  void ignore(const char* key) { known_.insert(key); }
  bool has(const char* key) const;

  // Reports every key that no accessor asked for as an unknown field.
  void report_unknown_fields();

 private:
  const nlohmann::json* get(const char* key);
  void type_error(const char* key, const char* expected, const nlohmann::json& got);

  const nlohmann::json* object_ = nullptr;
  std::string path_;
  FieldErrors& errors_;
  std::set<std::string> known_;
};

}  // namespace castellan::api
