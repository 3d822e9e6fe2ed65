#include "api/node_sensor_codec.h"

#include "api/json_reader.h"
#include "api/object_meta_codec.h"

namespace castellan::api {

using nlohmann::json;

json to_json(const NodeSensorStatus& status) {
  json out = {{"btf", status.btf},
              {"programsAttached", status.programsAttached},
              {"eventsSeen", status.eventsSeen},
              {"eventsDropped", status.eventsDropped},
              {"alerts", status.alerts},
              {"killed", status.killed},
              {"heartbeatIntervalSeconds", status.heartbeatIntervalSeconds},
              {"conditions", to_json(status.conditions)}};
  if (status.observedGeneration != 0) out["observedGeneration"] = status.observedGeneration;
  set_if_not_empty(out, "kernel", status.kernel);
  set_if_not_empty(out, "rulesetHash", status.rulesetHash);
  set_if_not_empty(out, "failedRulesetHash", status.failedRulesetHash);
  set_if_not_empty(out, "rulesetError", status.rulesetError);
  set_if_not_empty(out, "lastError", status.lastError);
  set_if_not_empty(out, "lastHeartbeatTime", status.lastHeartbeatTime);
  return out;
}

json to_json(const NodeSensor& sensor) {
  return {{"apiVersion", kApiVersion},
          {"kind", kNodeSensorKind},
          {"metadata", to_json(sensor.metadata)},
          {"status", to_json(sensor.status)}};
}

Decoded<NodeSensor> decode_node_sensor(const json& object) {
  Decoded<NodeSensor> out;
  FieldErrors& errors = out.errors;
  if (!object.is_object()) {
    errors.push_back({"", "expected a NodeSensor object, got " + describe(object)});
    return out;
  }
  JsonReader r(object, "", errors);
  std::string api_version, kind;
  r.read("apiVersion", api_version);
  r.read("kind", kind);
  if (api_version != kApiVersion) {
    errors.push_back(
        {"apiVersion", std::string("must be ") + kApiVersion + ", got \"" + api_version + "\""});
  }
  if (kind != kNodeSensorKind) {
    errors.push_back(
        {"kind", std::string("must be ") + kNodeSensorKind + ", got \"" + kind + "\""});
  }
  if (const auto* m = r.object("metadata")) {
    out.value.metadata = decode_object_meta(*m, "metadata", errors);
  }
  validate_object_name(out.value.metadata.name, "metadata.name", errors);
  if (const auto* s = r.object("status")) {
    JsonReader st(*s, "status", errors);
    auto& status = out.value.status;
    st.read("observedGeneration", status.observedGeneration);
    st.read("kernel", status.kernel);
    st.read("btf", status.btf);
    st.read("programsAttached", status.programsAttached);
    st.read("rulesetHash", status.rulesetHash);
    st.read("failedRulesetHash", status.failedRulesetHash);
    st.read("rulesetError", status.rulesetError);
    st.read("heartbeatIntervalSeconds", status.heartbeatIntervalSeconds);
    st.read("eventsSeen", status.eventsSeen);
    st.read("eventsDropped", status.eventsDropped);
    st.read("alerts", status.alerts);
    st.read("killed", status.killed);
    st.read("lastError", status.lastError);
    st.read("lastHeartbeatTime", status.lastHeartbeatTime);
    if (const auto* list = st.array("conditions")) {
      for (size_t i = 0; i < list->size(); ++i) {
        status.conditions.push_back(
            decode_condition((*list)[i], index_path("status.conditions", i), errors));
      }
    }
  }
  r.ignore("spec");
  r.report_unknown_fields();
  return out;
}

}  // namespace castellan::api
