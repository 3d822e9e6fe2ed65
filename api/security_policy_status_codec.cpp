// SecurityPolicyStatus to and from JSON (declared in security_policy_codec.h).
#include "api/json_reader.h"
#include "api/object_meta_codec.h"
#include "api/security_policy_codec.h"

namespace castellan::api {

using nlohmann::json;

json to_json(const SecurityPolicyStatus& status) {
  json violations = json::array();
  for (const auto& v : status.recentViolations) {
    json record = json::object();
    set_if_not_empty(record, "time", v.time);
    set_if_not_empty(record, "kind", v.kind);
    set_if_not_empty(record, "namespace", v.namespace_);
    set_if_not_empty(record, "name", v.name);
    set_if_not_empty(record, "rule", v.rule);
    set_if_not_empty(record, "message", v.message);
    violations.push_back(std::move(record));
  }
  json actions = json::array();
  for (const auto& a : status.recentActions) {
    json record = {{"succeeded", a.succeeded}};
    set_if_not_empty(record, "time", a.time);
    set_if_not_empty(record, "action", a.action);
    set_if_not_empty(record, "rule", a.rule);
    set_if_not_empty(record, "namespace", a.namespace_);
    set_if_not_empty(record, "pod", a.pod);
    set_if_not_empty(record, "node", a.node);
    set_if_not_empty(record, "image", a.image);
    set_if_not_empty(record, "message", a.message);
    actions.push_back(std::move(record));
  }
  json quarantined = json::array();
  for (const auto& q : status.quarantinedDigests) {
    json record = {{"digest", q.digest}};
    set_if_not_empty(record, "image", q.image);
    set_if_not_empty(record, "rule", q.rule);
    set_if_not_empty(record, "namespace", q.namespace_);
    set_if_not_empty(record, "pod", q.pod);
    set_if_not_empty(record, "node", q.node);
    set_if_not_empty(record, "time", q.time);
    set_if_not_empty(record, "alert", q.alert);
    quarantined.push_back(std::move(record));
  }
  return {{"observedGeneration", status.observedGeneration},
          {"conditions", to_json(status.conditions)},
          {"admission",
           {{"allowed", status.admission.allowed},
            {"denied", status.admission.denied},
            {"warned", status.admission.warned}}},
          {"runtime",
           {{"alerts", status.runtime.alerts},
            {"killed", status.runtime.killed},
            {"nodesInSync", status.runtime.nodesInSync}}},
          {"responses",
           {{"taken", status.responses.taken},
            {"failed", status.responses.failed},
            {"skipped", status.responses.skipped},
            {"notifyFailures", status.responses.notifyFailures}}},
          {"recentViolations", std::move(violations)},
          {"quarantinedDigests", std::move(quarantined)},
          {"recentActions", std::move(actions)}};
}

SecurityPolicyStatus decode_security_policy_status(const json& value, const std::string& path,
                                                   FieldErrors& errors) {
  SecurityPolicyStatus status;
  JsonReader r(value, path, errors);
  r.read("observedGeneration", status.observedGeneration);
  if (const auto* list = r.array("conditions")) {
    for (size_t i = 0; i < list->size(); ++i) {
      status.conditions.push_back(
          decode_condition((*list)[i], index_path(path + ".conditions", i), errors));
    }
  }
  if (const auto* v = r.object("admission")) {
    JsonReader a(*v, path + ".admission", errors);
    a.read("allowed", status.admission.allowed);
    a.read("denied", status.admission.denied);
    a.read("warned", status.admission.warned);
  }
  if (const auto* v = r.object("runtime")) {
    JsonReader a(*v, path + ".runtime", errors);
    a.read("alerts", status.runtime.alerts);
    a.read("killed", status.runtime.killed);
    a.read("nodesInSync", status.runtime.nodesInSync);
  }
  if (const auto* list = r.array("recentViolations")) {
    for (size_t i = 0; i < list->size(); ++i) {
      JsonReader e((*list)[i], index_path(path + ".recentViolations", i), errors);
      Violation v;
      e.read("time", v.time);
      e.read("kind", v.kind);
      e.read("namespace", v.namespace_);
      e.read("name", v.name);
      e.read("rule", v.rule);
      e.read("message", v.message);
      status.recentViolations.push_back(std::move(v));
    }
  }
  if (const auto* v = r.object("responses")) {
    JsonReader a(*v, path + ".responses", errors);
    a.read("taken", status.responses.taken);
    a.read("failed", status.responses.failed);
    a.read("skipped", status.responses.skipped);
    a.read("notifyFailures", status.responses.notifyFailures);
  }
  if (const auto* list = r.array("quarantinedDigests")) {
    for (size_t i = 0; i < list->size(); ++i) {
      JsonReader e((*list)[i], index_path(path + ".quarantinedDigests", i), errors);
      QuarantinedDigest q;
      e.read("digest", q.digest);
      e.read("image", q.image);
      e.read("rule", q.rule);
      e.read("namespace", q.namespace_);
      e.read("pod", q.pod);
      e.read("node", q.node);
      e.read("time", q.time);
      e.read("alert", q.alert);
      status.quarantinedDigests.push_back(std::move(q));
    }
  }
  if (const auto* list = r.array("recentActions")) {
    for (size_t i = 0; i < list->size(); ++i) {
      JsonReader e((*list)[i], index_path(path + ".recentActions", i), errors);
      ActionRecord a;
      e.read("time", a.time);
      e.read("action", a.action);
      e.read("rule", a.rule);
      e.read("namespace", a.namespace_);
      e.read("pod", a.pod);
      e.read("node", a.node);
      e.read("image", a.image);
      e.read("succeeded", a.succeeded);
      e.read("message", a.message);
      status.recentActions.push_back(std::move(a));
    }
  }
  return status;
}

}  // namespace castellan::api
