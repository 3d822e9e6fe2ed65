#include "sensor/node_sensor_reporter.h"

#include <sys/utsname.h>
#include <unistd.h>

#include "api/conditions.h"
#include "api/node_sensor_codec.h"
#include "kube/resources.h"

namespace castellan::sensor {
namespace {

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : ", ") + item;
  return out;
}

}  // namespace

std::vector<api::Condition> node_sensor_conditions(const api::NodeSensorStatus& status,
                                                   const std::string& missing_configmap) {
  api::Condition ready{api::kSensorReadyCondition, "True", "Reporting", "", "", 0};
  ready.message = status.programsAttached.empty()
                      ? "No runtime rule applies; no BPF programs attached"
                      : "Attached BPF programs: " + join(status.programsAttached);
  std::string running = status.rulesetHash.empty() ? "no ruleset" : "ruleset " + status.rulesetHash;
  api::Condition loaded{api::kRulesetLoadedCondition, "True", "Loaded", "", "", 0};
  if (!status.rulesetError.empty()) {
    std::string hash =
        status.failedRulesetHash.empty() ? "(hash unknown)" : status.failedRulesetHash;
    loaded.status = "False";
    loaded.reason = "LoadFailed";
    loaded.message =
        "Ruleset " + hash + " failed to load: " + status.rulesetError + "; running " + running;
  } else if (!missing_configmap.empty()) {
    loaded.status = "False";
    loaded.reason = "NotFound";
    loaded.message =
        "Runtime ruleset ConfigMap " + missing_configmap + " not found; running " + running;
  } else {
    loaded.message = "Loaded ruleset " + status.rulesetHash;
  }
  return {ready, loaded};
}

HostFacts HostFacts::probe() {
  HostFacts facts;
  struct utsname u {};
  if (uname(&u) == 0) facts.kernel = u.release;
  facts.btf = access("/sys/kernel/btf/vmlinux", R_OK) == 0;
  return facts;
}

Status NodeSensorReporter::ensure_exists() {
  if (exists_) return Status::Ok();
  auto got = api_->get(kube::kNodeSensors, "", node_name_);
  if (got.ok()) {
    exists_ = true;
    generation_ = got->value("/metadata/generation"_json_pointer, int64_t{0});
    // A restarted sensor keeps the transition times of conditions that did not change.
    if (conditions_.empty()) conditions_ = api::decode_node_sensor(*got).value.status.conditions;
    return Status::Ok();
  }
  if (got.error().code != 404) return got.error();
  nlohmann::json object = {{"apiVersion", "castellan.io/v1alpha1"},
                           {"kind", api::kNodeSensorKind},
                           {"metadata", {{"name", node_name_}}}};
  auto created = api_->create(kube::kNodeSensors, "", object);
  if (!created.ok() && created.error().code != 409) return created.error();
  if (created.ok()) generation_ = created->value("/metadata/generation"_json_pointer, int64_t{0});
  exists_ = true;
  return Status::Ok();
}

Status NodeSensorReporter::report(api::NodeSensorStatus status) {
  if (auto st = ensure_exists(); !st.ok()) return st;
  status.observedGeneration = generation_;
  for (auto& condition : status.conditions) {
    condition.observedGeneration = generation_;
    api::set_condition(conditions_, std::move(condition), status.lastHeartbeatTime);
  }
  status.conditions = conditions_;
  nlohmann::json written = api::to_json(status);
  // A merge patch keeps what it does not mention: null removes a field that became empty.
  for (const char* field : {"kernel", "rulesetHash", "failedRulesetHash", "rulesetError",
                            "lastError", "lastHeartbeatTime"}) {
    if (!written.contains(field)) written[field] = nullptr;
  }
  nlohmann::json body = {{"status", written}};
  kube::PatchOptions options;
  options.subresource = "status";
  auto patched = api_->patch(kube::kNodeSensors, "", node_name_, kube::PatchType::Merge, body.dump(), options);
  if (!patched.ok()) {
    if (patched.error().code == 404) exists_ = false;  // deleted under us: create it next time
    return patched.error();
  }
  generation_ = patched->value("/metadata/generation"_json_pointer, generation_);
  return Status::Ok();
}

}  // namespace castellan::sensor
