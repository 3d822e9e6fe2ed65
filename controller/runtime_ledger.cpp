#include "controller/runtime_ledger.h"

#include <algorithm>

#include "api/security_policy_codec.h"
#include "controller/admission_reports.h"

namespace castellan::controller {
namespace {

using nlohmann::json;

api::Violation violation_of(const api::RuntimeViolationEvent& e) {
  return {e.last_time, "Pod", e.pod_namespace, e.pod, e.rule, e.message};
}

// Records are stored in the status codec's shape, so the ledger needs no codec of its own.
json record_json(const PolicyRuntimeRecord& record) {
  api::SecurityPolicyStatus status;
  status.runtime.alerts = record.alerts;
  status.runtime.killed = record.killed;
  status.responses = record.responses;
  status.recentViolations = record.recentViolations;
  status.recentActions = record.recentActions;
  json full = api::to_json(status);
  return {{"uid", record.uid},
          {"runtime", {{"alerts", record.alerts}, {"killed", record.killed}}},
          {"responses", full["responses"]},
          {"recentViolations", full["recentViolations"]},
          {"recentActions", full["recentActions"]}};
}

}  // namespace

PolicyRuntimeRecord& record_for(RuntimeLedger& ledger, const std::string& policy,
                                const std::string& uid) {
  auto& record = ledger.policies[policy];
  if (record.uid != uid) record = PolicyRuntimeRecord{uid, 0, 0, {}, {}, {}};
  return record;
}

void add_action(PolicyRuntimeRecord& record, api::ActionRecord action) {
  record.recentActions.insert(record.recentActions.begin(), std::move(action));
  if (record.recentActions.size() > kRecentActions) record.recentActions.resize(kRecentActions);
}

std::vector<NewAlert> count_new_alerts(RuntimeLedger& ledger,
                                       std::vector<api::RuntimeViolationEvent> events,
                                       const PolicyUids& policies, bool complete,
                                       bool* changed) {
  bool moved = false;
  // RFC 3339 UTC timestamps of one format order as strings; uid breaks ties stably.
  std::sort(events.begin(), events.end(), [](const auto& a, const auto& b) {
    return a.last_time != b.last_time ? a.last_time < b.last_time : a.uid < b.uid;
  });
  std::vector<NewAlert> out;
  for (const auto& event : events) {
    auto& mark = ledger.counted[event.uid];
    int64_t fresh = event.count - mark;
    if (fresh <= 0) continue;
    mark = event.count;
    moved = true;
    auto policy = policies.find(event.policy);
    if (policy == policies.end()) continue;
    auto& record = record_for(ledger, event.policy, policy->second);
    record.alerts += fresh;
    if (event.killed) record.killed += fresh;
    record.recentViolations.insert(record.recentViolations.begin(), violation_of(event));
    record.recentViolations = newest_violations(std::move(record.recentViolations));
    out.push_back({event, fresh});
  }
  if (complete) {
    size_t marks = ledger.counted.size(), records = ledger.policies.size();
    std::map<std::string, int64_t> live;
    for (const auto& event : events) {
      if (auto it = ledger.counted.find(event.uid); it != ledger.counted.end()) live.insert(*it);
    }
    ledger.counted = std::move(live);
    for (auto it = ledger.policies.begin(); it != ledger.policies.end();) {
      auto policy = policies.find(it->first);
      bool gone = policy == policies.end() || policy->second != it->second.uid;
      it = gone ? ledger.policies.erase(it) : std::next(it);
    }
    moved = moved || marks != ledger.counted.size() || records != ledger.policies.size();
  }
  if (changed != nullptr) *changed = moved;
  return out;
}

RuntimeLedger seed_ledger(
    const std::map<std::string, std::pair<std::string, api::SecurityPolicyStatus>>& statuses,
    const std::vector<api::RuntimeViolationEvent>& events) {
  RuntimeLedger ledger;
  for (const auto& [name, entry] : statuses) {
    const auto& [uid, status] = entry;
    auto& record = record_for(ledger, name, uid);
    record.alerts = status.runtime.alerts;
    record.killed = status.runtime.killed;
    record.responses = status.responses;
    record.recentActions = status.recentActions;
  }
  for (const auto& event : events) ledger.counted[event.uid] = event.count;
  return ledger;
}

json to_json(const RuntimeLedger& ledger) {
  json policies = json::object();
  for (const auto& [name, record] : ledger.policies) policies[name] = record_json(record);
  return {{"version", 1}, {"policies", std::move(policies)}, {"counted", ledger.counted}};
}

Result<RuntimeLedger> runtime_ledger_from_json(const json& j) {
  if (!j.is_object() || j.value("version", 0) != 1) {
    return Error::make("runtime ledger is not a version 1 object", "Invalid");
  }
  RuntimeLedger ledger;
  const json policies = j.value("policies", json::object());
  const json counted = j.value("counted", json::object());
  for (const auto& [name, value] : policies.items()) {
    api::FieldErrors errors;
    auto status = api::decode_security_policy_status(value, "policies." + name, errors);
    if (!errors.empty()) return Error::make("runtime ledger: " + api::join(errors, "; "), "Invalid");
    PolicyRuntimeRecord record;
    record.uid = value.value("uid", "");
    record.alerts = status.runtime.alerts;
    record.killed = status.runtime.killed;
    record.responses = status.responses;
    record.recentViolations = std::move(status.recentViolations);
    record.recentActions = std::move(status.recentActions);
    ledger.policies[name] = std::move(record);
  }
  for (const auto& [uid, count] : counted.items()) {
    if (!count.is_number_integer()) {
      return Error::make("runtime ledger: counted." + uid + " is not an integer", "Invalid");
    }
    ledger.counted[uid] = count.get<int64_t>();
  }
  return ledger;
}

}  // namespace castellan::controller
