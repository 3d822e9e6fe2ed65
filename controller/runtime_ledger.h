#pragma once
// RuntimeLedger: what the leader has counted of the sensors' RuntimeViolation Events and done
// about them, kept in one ConfigMap (castellan-runtime-ledger) that only the leader writes.
//
// A sensor aggregates repeats of one alert into one Event whose `count` rises, so the ledger
// remembers, per Event uid, the count already counted: each reconcile counts only what an
// Event says beyond that, and a new leader (or a restarted manager) carries on from the stored
// marks without counting anything twice. Marks and per-policy totals live in the same object,
// so they are written together; SecurityPolicy status mirrors the totals. Marks of Events that
// no longer exist (the API server expires Events after an hour) are dropped, which bounds the
// ledger by the number of live RuntimeViolation Events. Pure: no I/O.

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "api/runtime_violation.h"
#include "api/security_policy.h"
#include "common/result.h"

namespace castellan::controller {

inline constexpr size_t kRecentActions = 10;

// What status reports of one policy's runtime half.
struct PolicyRuntimeRecord {
  std::string uid;  // of the SecurityPolicy: a policy deleted and created again starts afresh
  int64_t alerts = 0;
  int64_t killed = 0;
  api::ResponseCounts responses;
  std::vector<api::Violation> recentViolations;  // runtime alerts, newest first
  std::vector<api::ActionRecord> recentActions;  // newest first
};

struct RuntimeLedger {
  std::map<std::string, PolicyRuntimeRecord> policies;  // by policy name
  std::map<std::string, int64_t> counted;  // mark_key(Event uid) -> count already counted
};

// The key of an Event's mark: a UUID's first 64 bits in hex (the uid itself otherwise).
std::string mark_key(const std::string& uid);

// An alert not counted before: `new_alerts` occurrences beyond what was counted of the Event.
struct NewAlert {
  api::RuntimeViolationEvent event;
  int64_t new_alerts = 0;
};

// Live policies by name, with their uid.
using PolicyUids = std::map<std::string, std::string>;
// Events as the informer's cache holds them (not owned; nothing is copied for a pass).
using ViolationEvents = std::vector<const api::RuntimeViolationEvent*>;
ViolationEvents pointers_to(const std::vector<api::RuntimeViolationEvent>& events);

// Counts every Event's occurrences beyond its mark into its policy's record and moves the
// mark. Alerts of policies that do not exist are marked, not counted. When `complete` (the
// Events are every RuntimeViolation Event there is), marks of vanished Events and records of
// vanished policies are dropped. Returns the new alerts, oldest first; `changed` tells whether
// the ledger changed at all (a mark moved, something was dropped).
std::vector<NewAlert> count_new_alerts(RuntimeLedger& ledger, const ViolationEvents& events,
                                       const PolicyUids& policies, bool complete,
                                       bool* changed = nullptr);
std::vector<NewAlert> count_new_alerts(RuntimeLedger& ledger,
                                       const std::vector<api::RuntimeViolationEvent>& events,
                                       const PolicyUids& policies, bool complete,
                                       bool* changed = nullptr);

// A ledger for a cluster whose ledger ConfigMap is missing: totals and recent actions taken
// from what status reports (`statuses`), and every live Event taken as already counted, so
// that a lost ledger never counts the same alerts twice.
RuntimeLedger seed_ledger(
    const std::map<std::string, std::pair<std::string, api::SecurityPolicyStatus>>& statuses,
    const ViolationEvents& events);

// The record of `policy` (uid `uid`), created or reset when the uid changed.
PolicyRuntimeRecord& record_for(RuntimeLedger& ledger, const std::string& policy,
                                const std::string& uid);
// Adds an action record, newest first, keeping at most kRecentActions.
void add_action(PolicyRuntimeRecord& record, api::ActionRecord action);

nlohmann::json to_json(const RuntimeLedger& ledger);
Result<RuntimeLedger> runtime_ledger_from_json(const nlohmann::json& j);

}  // namespace castellan::controller
