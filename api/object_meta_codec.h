#pragma once
// JSON codec for ObjectMeta and metav1.Condition, shared by the SecurityPolicy and
// NodeSensor codecs.

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "api/field_error.h"
#include "api/object_meta.h"

namespace castellan::api {

// Reads the ObjectMeta fields Castellan carries; other metadata fields are ignored (the
// API server owns them). Wrong types are appended to `errors` with paths under `path`.
ObjectMeta decode_object_meta(const nlohmann::json& metadata, const std::string& path,
                              FieldErrors& errors);

nlohmann::json to_json(const ObjectMeta& metadata);

Condition decode_condition(const nlohmann::json& condition, const std::string& path,
                           FieldErrors& errors);
nlohmann::json to_json(const Condition& condition);
nlohmann::json to_json(const std::vector<Condition>& conditions);

// Checks metadata.name as a DNS-1123 subdomain (the rule for cluster-scoped objects).
void validate_object_name(const std::string& name, const std::string& path, FieldErrors& errors);

}  // namespace castellan::api
