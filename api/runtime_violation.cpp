#include "api/runtime_violation.h"

namespace castellan::api {
namespace {

using nlohmann::json;

std::string text(const json& object, const char* key) {
  if (!object.is_object()) return {};
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string{};
}

const json& member(const json& object, const char* key) {
  static const json empty = json::object();
  if (!object.is_object()) return empty;
  auto it = object.find(key);
  return it != object.end() && it->is_object() ? *it : empty;
}

}  // namespace

std::string violation_detail(const RuntimeViolationEvent& event) {
  const std::string prefix = "SecurityPolicy " + event.policy + " rule " + event.rule + ": ";
  if (event.message.rfind(prefix, 0) == 0) return event.message.substr(prefix.size());
  return event.message;
}

Result<RuntimeViolationEvent> decode_runtime_violation(const json& event) {
  if (text(event, "reason") != kRuntimeViolationReason) {
    return Error::make("Event reason is not " + std::string(kRuntimeViolationReason));
  }
  const json& metadata = member(event, "metadata");
  const json& annotations = member(metadata, "annotations");
  const json& involved = member(event, "involvedObject");
  RuntimeViolationEvent out;
  out.uid = text(metadata, "uid");
  out.event_namespace = text(metadata, "namespace");
  out.event_name = text(metadata, "name");
  out.pod_namespace = text(involved, "namespace");
  out.pod = text(involved, "name");
  out.pod_uid = text(involved, "uid");
  out.policy = text(annotations, kViolationPolicyAnnotation);
  out.rule = text(annotations, kViolationRuleAnnotation);
  out.killed = text(annotations, kViolationActionAnnotation) == "Kill";
  out.node = text(annotations, kViolationNodeAnnotation);
  if (out.node.empty()) out.node = text(member(event, "source"), "host");
  out.container_id = text(annotations, kViolationContainerAnnotation);
  out.message = text(event, "message");
  auto count = event.is_object() ? event.find("count") : event.end();
  if (event.is_object() && count != event.end() && count->is_number_integer()) {
    out.count = std::max<int64_t>(1, count->get<int64_t>());
  }
  for (const char* key : {"lastTimestamp", "eventTime", "firstTimestamp"}) {
    out.last_time = text(event, key);
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
