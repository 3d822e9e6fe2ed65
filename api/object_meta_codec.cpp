#include "api/object_meta_codec.h"

#include "api/json_reader.h"
#include "api/validation_rules.h"

namespace castellan::api {

ObjectMeta decode_object_meta(const nlohmann::json& metadata, const std::string& path,
                              FieldErrors& errors) {
  ObjectMeta meta;
  JsonReader r(metadata, path, errors);
  r.read("name", meta.name);
  r.read("namespace", meta.namespace_);
  r.read("uid", meta.uid);
  r.read("resourceVersion", meta.resourceVersion);
  r.read("generation", meta.generation);
  r.read("labels", meta.labels);
  r.read("annotations", meta.annotations);
  r.read("creationTimestamp", meta.creationTimestamp);
  return meta;
}

nlohmann::json to_json(const ObjectMeta& metadata) {
  nlohmann::json out = nlohmann::json::object();
  if (!metadata.name.empty()) out["name"] = metadata.name;
  if (!metadata.namespace_.empty()) out["namespace"] = metadata.namespace_;
  if (!metadata.uid.empty()) out["uid"] = metadata.uid;
  if (!metadata.resourceVersion.empty()) out["resourceVersion"] = metadata.resourceVersion;
  if (metadata.generation != 0) out["generation"] = metadata.generation;
  if (!metadata.labels.empty()) out["labels"] = metadata.labels;
  if (!metadata.annotations.empty()) out["annotations"] = metadata.annotations;
  if (!metadata.creationTimestamp.empty()) out["creationTimestamp"] = metadata.creationTimestamp;
  return out;
}

Condition decode_condition(const nlohmann::json& condition, const std::string& path,
                           FieldErrors& errors) {
  Condition c;
  JsonReader r(condition, path, errors);
  r.read("type", c.type);
  r.read("status", c.status);
  r.read("reason", c.reason);
  r.read("message", c.message);
  r.read("lastTransitionTime", c.lastTransitionTime);
  r.read("observedGeneration", c.observedGeneration);
  return c;
}

nlohmann::json to_json(const Condition& condition) {
  nlohmann::json out = nlohmann::json::object();
  set_if_not_empty(out, "type", condition.type);
  set_if_not_empty(out, "status", condition.status);
  set_if_not_empty(out, "reason", condition.reason);
  set_if_not_empty(out, "message", condition.message);
  set_if_not_empty(out, "lastTransitionTime", condition.lastTransitionTime);
  if (condition.observedGeneration != 0) out["observedGeneration"] = condition.observedGeneration;
  return out;
}

nlohmann::json to_json(const std::vector<Condition>& conditions) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& c : conditions) out.push_back(to_json(c));
  return out;
}

void validate_object_name(const std::string& name, const std::string& path, FieldErrors& errors) {
  if (name.empty()) {
    errors.push_back({path, "is required"});
  } else if (!is_dns1123_subdomain(name)) {
    errors.push_back({path, "\"" + name +
                                "\" is not a valid name (lower-case letters, digits, '-' and '.', "
                                "starting and ending with a letter or digit, at most 253 "
                                "characters)"});
  }
}

}  // namespace castellan::api
