#include "controller/runtime_ledger.h"

#include <algorithm>
#include <unordered_set>

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

std::string mark_key(const std::string& uid) {
  // A UUID's first 64 bits (its version digit among them) are plenty to tell live Events
  // apart, and halve the ledger's size.
  if (uid.size() != 36 || uid[8] != '-' || uid[13] != '-' || uid[18] != '-' || uid[23] != '-') {
    return uid;
  }
  return uid.substr(0, 8) + uid.substr(9, 4) + uid.substr(14, 4);
}

std::vector<NewAlert> count_new_alerts(RuntimeLedger& ledger, const ViolationEvents& events,
                                       const PolicyUids& policies, bool complete, bool* changed) {
  bool moved = false;
  std::vector<std::pair<const api::RuntimeViolationEvent*, std::string>> fresh;
  for (const auto* event : events) {
    std::string key = mark_key(event->uid);
    auto mark = ledger.counted.find(key);
    if (mark == ledger.counted.end() || event->count > mark->second) {
      fresh.emplace_back(event, std::move(key));
    }
  }
  // Oldest first. RFC 3339 UTC timestamps of one format order as strings; uid breaks ties.
  std::sort(fresh.begin(), fresh.end(), [](const auto& a, const auto& b) {
    const auto& x = *a.first;
    const auto& y = *b.first;
    return x.last_time != y.last_time ? x.last_time < y.last_time : x.uid < y.uid;
  });
  std::vector<NewAlert> out;
  for (const auto& [event, key] : fresh) {
    auto& mark = ledger.counted[key];
    int64_t counted = event->count - mark;
    mark = event->count;
    moved = true;
    auto policy = policies.find(event->policy);
    if (policy == policies.end()) continue;
    auto& record = record_for(ledger, event->policy, policy->second);
    record.alerts += counted;
    if (event->killed) record.killed += counted;
    record.recentViolations.insert(record.recentViolations.begin(), violation_of(*event));
    record.recentViolations = newest_violations(std::move(record.recentViolations));
    out.push_back({*event, counted});
  }
  if (complete) {
    // Every live Event has a mark now: more marks than Events means some Events are gone.
    if (ledger.counted.size() > events.size()) {
      std::unordered_set<std::string> live;
      live.reserve(events.size());
      for (const auto* event : events) live.insert(mark_key(event->uid));
      std::erase_if(ledger.counted, [&](const auto& mark) { return live.count(mark.first) == 0; });
      moved = true;
    }
    auto vanished = std::erase_if(ledger.policies, [&](const auto& entry) {
      auto policy = policies.find(entry.first);
      return policy == policies.end() || policy->second != entry.second.uid;
    });
    moved = moved || vanished > 0;
  }
  if (changed != nullptr) *changed = moved;
  return out;
}

std::vector<NewAlert> count_new_alerts(RuntimeLedger& ledger,
                                       const std::vector<api::RuntimeViolationEvent>& events,
                                       const PolicyUids& policies, bool complete, bool* changed) {
  return count_new_alerts(ledger, pointers_to(events), policies, complete, changed);
}

ViolationEvents pointers_to(const std::vector<api::RuntimeViolationEvent>& events) {
  ViolationEvents out;
  out.reserve(events.size());
  for (const auto& event : events) out.push_back(&event);
  return out;
}

RuntimeLedger seed_ledger(
    const std::map<std::string, std::pair<std::string, api::SecurityPolicyStatus>>& statuses,
    const ViolationEvents& events) {
  RuntimeLedger ledger;
  for (const auto& [name, entry] : statuses) {
    const auto& [uid, status] = entry;
    auto& record = record_for(ledger, name, uid);
    record.alerts = status.runtime.alerts;
    record.killed = status.runtime.killed;
    record.responses = status.responses;
    record.recentActions = status.recentActions;
  }
  for (const auto* event : events) ledger.counted[mark_key(event->uid)] = event->count;
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
    if (!errors.empty())
      return Error::make("runtime ledger: " + api::join(errors, "; "), "Invalid");
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
