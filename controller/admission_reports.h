#pragma once
// How admission counts from every replica reach SecurityPolicy status with no write
// conflicts: each replica writes only its own report (a ConfigMap named after it) with its
// cumulative counts; only the leader writes status (the sum) and the retired totals (the
// counts of replicas that stopped reporting, folded in once, by replica id).

#include <chrono>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "api/security_policy.h"
#include "common/result.h"

namespace castellan::controller {

inline constexpr size_t kRecentViolations = 10;

struct PolicyTally {
  api::AdmissionCounts counts;
  std::vector<api::Violation> recent;  // newest first, at most kRecentViolations

  void add(const PolicyTally& other);
};

using PolicyTallies = std::map<std::string, PolicyTally>;  // by policy name

// One replica's report: cumulative since the replica started.
struct AdmissionReport {
  std::string replica;  // unique per process: pod name + start time
  std::chrono::system_clock::time_point heartbeat;
  PolicyTallies policies;
};

// Counts of replicas gone, kept by the leader.
struct RetiredTotals {
  PolicyTallies policies;
  std::set<std::string> folded_replicas;  // so a fold is never counted twice
};

// status.admission and status.recentViolations per policy: retired + every live report.
PolicyTallies sum_admission(const RetiredTotals& retired, const std::vector<AdmissionReport>& live);

struct FoldPlan {
  RetiredTotals retired;                       // to write when `changed`
  std::vector<std::string> reports_to_delete;  // replicas folded now or earlier
  bool changed = false;
};

// Folds reports whose heartbeat is older than `stale_after` into the retired totals. Reports
// already folded (a crash between writing totals and deleting the report) are only deleted.
FoldPlan fold_stale_reports(const RetiredTotals& retired,
                            const std::vector<AdmissionReport>& reports,
                            std::chrono::system_clock::time_point now,
                            std::chrono::seconds stale_after);

// Keeps the newest `limit` violations (by RFC 3339 time, newest first).
std::vector<api::Violation> newest_violations(std::vector<api::Violation> violations,
                                              size_t limit = kRecentViolations);

nlohmann::json to_json(const AdmissionReport& report);
Result<AdmissionReport> admission_report_from_json(const nlohmann::json& j);
nlohmann::json to_json(const RetiredTotals& retired);
Result<RetiredTotals> retired_totals_from_json(const nlohmann::json& j);

}  // namespace castellan::controller
