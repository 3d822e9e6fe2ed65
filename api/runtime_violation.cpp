#include "api/runtime_violation.h"

#include "common/json_fields.h"

namespace castellan::api {

using nlohmann::json;

std::string violation_detail(const RuntimeViolationEvent& event) {
  const std::string prefix = "SecurityPolicy " + event.policy + " rule " + event.rule + ": ";
  if (event.message.rfind(prefix, 0) == 0) return event.message.substr(prefix.size());
  return event.message;
}

Result<RuntimeViolationEvent> decode_runtime_violation(const json& event) {
  if (string_field(event, "reason") != kRuntimeViolationReason) {
    return Error::make("Event reason is not " + std::string(kRuntimeViolationReason));
  }
  const json& metadata = object_field(event, "metadata");
  const json& annotations = object_field(metadata, "annotations");
  const json& involved = object_field(event, "involvedObject");
  RuntimeViolationEvent out;
  out.uid = string_field(metadata, "uid");
  out.event_namespace = string_field(metadata, "namespace");
  out.event_name = string_field(metadata, "name");
  out.pod_namespace = string_field(involved, "namespace");
  out.pod = string_field(involved, "name");
  out.pod_uid = string_field(involved, "uid");
  out.policy = string_field(annotations, kViolationPolicyAnnotation);
  out.rule = string_field(annotations, kViolationRuleAnnotation);
  out.killed = string_field(annotations, kViolationActionAnnotation) == "Kill";
  out.node = string_field(annotations, kViolationNodeAnnotation);
  if (out.node.empty()) out.node = string_field(object_field(event, "source"), "host");
  out.container_id = string_field(annotations, kViolationContainerAnnotation);
  out.message = string_field(event, "message");
  auto count = event.is_object() ? event.find("count") : event.end();
  if (event.is_object() && count != event.end() && count->is_number_integer()) {
    out.count = std::max<int64_t>(1, count->get<int64_t>());
  }
  for (const char* key : {"lastTimestamp", "eventTime", "firstTimestamp"}) {
    out.last_time = string_field(event, key);
    if (!out.last_time.empty()) break;
  }
  if (out.uid.empty()) return Error::make("Event has no metadata.uid");
  if (out.policy.empty() || out.rule.empty()) {
    return Error::make("Event " + out.event_namespace + "/" + out.event_name + " has no " +
                       kViolationPolicyAnnotation + " or " + kViolationRuleAnnotation +
                       " annotation");
  }
  return out;
}

}  // namespace castellan::api
