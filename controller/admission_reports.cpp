#include "controller/admission_reports.h"

#include <algorithm>

#include "controller/time_format.h"

namespace castellan::controller {
namespace {

using nlohmann::json;

json tallies_to_json(const PolicyTallies& tallies) {
  json out = json::object();
  for (const auto& [name, t] : tallies) {
    json recent = json::array();
    for (const auto& v : t.recent) {
      recent.push_back({{"time", v.time},
                        {"kind", v.kind},
                        {"namespace", v.namespace_},
                        {"name", v.name},
                        {"rule", v.rule},
                        {"message", v.message}});
    }
    out[name] = {{"allowed", t.counts.allowed},
                 {"denied", t.counts.denied},
                 {"warned", t.counts.warned},
                 {"recentViolations", recent}};
  }
  return out;
}

PolicyTallies tallies_from_json(const json& j) {
  PolicyTallies out;
  for (const auto& [name, t] : j.items()) {
    PolicyTally tally;
    tally.counts.allowed = t.value("allowed", int64_t{0});
    tally.counts.denied = t.value("denied", int64_t{0});
    tally.counts.warned = t.value("warned", int64_t{0});
    for (const auto& v : t.value("recentViolations", json::array())) {
      tally.recent.push_back({v.value("time", ""), v.value("kind", ""), v.value("namespace", ""),
                              v.value("name", ""), v.value("rule", ""), v.value("message", "")});
    }
    out[name] = std::move(tally);
  }
  return out;
}

}  // namespace

void PolicyTally::add(const PolicyTally& other) {
  counts.allowed += other.counts.allowed;
  counts.denied += other.counts.denied;
  counts.warned += other.counts.warned;
  recent.insert(recent.end(), other.recent.begin(), other.recent.end());
  recent = newest_violations(std::move(recent));
}

std::vector<api::Violation> newest_violations(std::vector<api::Violation> violations,
                                              size_t limit) {
  // RFC 3339 UTC timestamps of one format order as strings.
  std::stable_sort(
      violations.begin(), violations.end(),
      [](const api::Violation& a, const api::Violation& b) { return a.time > b.time; });
  if (violations.size() > limit) violations.resize(limit);
  return violations;
}

PolicyTallies sum_admission(const RetiredTotals& retired,
                            const std::vector<AdmissionReport>& live) {
  PolicyTallies sum = retired.policies;
  for (const auto& report : live) {
    if (retired.folded_replicas.count(report.replica) != 0) continue;
    for (const auto& [name, tally] : report.policies) sum[name].add(tally);
  }
  return sum;
}

FoldPlan fold_stale_reports(const RetiredTotals& retired,
                            const std::vector<AdmissionReport>& reports,
                            std::chrono::system_clock::time_point now,
                            std::chrono::seconds stale_after) {
  FoldPlan plan{retired, {}, false};
  // Ids are remembered only while their report still exists (a fold whose delete failed);
  // once it is gone the id is pruned, so the list does not grow with every restart.
  plan.retired.folded_replicas.clear();
  for (const auto& report : reports) {
    if (retired.folded_replicas.count(report.replica) != 0) {
      plan.retired.folded_replicas.insert(report.replica);
      plan.reports_to_delete.push_back(report.replica);
      continue;
    }
    if (now - report.heartbeat < stale_after) continue;
    for (const auto& [name, tally] : report.policies) plan.retired.policies[name].add(tally);
    plan.retired.folded_replicas.insert(report.replica);
    plan.reports_to_delete.push_back(report.replica);
    plan.changed = true;
  }
  plan.changed |= plan.retired.folded_replicas != retired.folded_replicas;
  return plan;
}

json to_json(const AdmissionReport& report) {
  return {{"replica", report.replica},
          {"heartbeat", format_rfc3339(report.heartbeat)},
          {"policies", tallies_to_json(report.policies)}};
}

Result<AdmissionReport> admission_report_from_json(const json& j) {
  try {
    AdmissionReport report;
    report.replica = j.at("replica").get<std::string>();
    auto heartbeat = parse_rfc3339(j.at("heartbeat").get<std::string>());
    if (!heartbeat) return Error::make("admission report: heartbeat is not an RFC 3339 time");
    report.heartbeat = *heartbeat;
    report.policies = tallies_from_json(j.value("policies", json::object()));
    return report;
  } catch (const json::exception& e) {
    return Error::make(std::string("admission report: ") + e.what());
  }
}

json to_json(const RetiredTotals& retired) {
  return {{"policies", tallies_to_json(retired.policies)},
          {"foldedReplicas", retired.folded_replicas}};
}

Result<RetiredTotals> retired_totals_from_json(const json& j) {
  try {
    RetiredTotals retired;
    retired.policies = tallies_from_json(j.value("policies", json::object()));
    for (const auto& r : j.value("foldedReplicas", json::array())) {
      retired.folded_replicas.insert(r.get<std::string>());
    }
    return retired;
  } catch (const json::exception& e) {
    return Error::make(std::string("retired admission totals: ") + e.what());
  }
}

}  // namespace castellan::controller
