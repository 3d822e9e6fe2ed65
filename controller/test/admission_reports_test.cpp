#include "controller/admission_reports.h"

#include <gtest/gtest.h>

namespace castellan::controller {
namespace {

using std::chrono::seconds;
using Clock = std::chrono::system_clock;

api::Violation violation(const std::string& time, const std::string& name) {
  return {time, "Pod", "default", name, "podSecurity.baseline.privileged", "privileged"};
}

AdmissionReport report(const std::string& replica, Clock::time_point heartbeat, int64_t denied,
                       std::vector<api::Violation> recent = {}) {
  AdmissionReport r{replica, heartbeat, {}};
  r.policies["p"].counts = {10, denied, 1};
  r.policies["p"].recent = std::move(recent);
  return r;
}

// Verifies that status sums the retired totals and every live replica's report.
TEST(AdmissionReportsTest, SumsRetiredAndLiveReports) {
  auto now = Clock::now();
  RetiredTotals retired;
  retired.policies["p"].counts = {100, 5, 0};
  auto sum = sum_admission(retired, {report("a", now, 2), report("b", now, 3)});
  EXPECT_EQ(sum["p"].counts.allowed, 120);
  EXPECT_EQ(sum["p"].counts.denied, 10);
  EXPECT_EQ(sum["p"].counts.warned, 2);
}

// Verifies that a stale report is folded once, and that counts do not change across the fold:
// totals before (retired + live) equal totals after (new retired + remaining live).
TEST(AdmissionReportsTest, FoldingStaleReportsPreservesTotals) {
  auto now = Clock::now();
  std::vector<AdmissionReport> reports = {report("gone", now - seconds(300), 4),
                                          report("alive", now, 1)};
  RetiredTotals retired;
  auto before = sum_admission(retired, reports);
  auto plan = fold_stale_reports(retired, reports, now, seconds(120));
  ASSERT_TRUE(plan.changed);
  EXPECT_EQ(plan.reports_to_delete, std::vector<std::string>{"gone"});
  auto after = sum_admission(plan.retired, {reports[1]});
  EXPECT_EQ(after["p"].counts.denied, before["p"].counts.denied);
  EXPECT_EQ(after["p"].counts.allowed, before["p"].counts.allowed);

  // A crash after writing the totals but before deleting the report: the report is still
  // listed; it must not be counted twice nor folded again.
  auto during = sum_admission(plan.retired, reports);
  EXPECT_EQ(during["p"].counts.denied, before["p"].counts.denied);
  auto again = fold_stale_reports(plan.retired, reports, now, seconds(120));
  EXPECT_FALSE(again.changed);
  EXPECT_EQ(again.reports_to_delete, std::vector<std::string>{"gone"});

  // Once the report is deleted, its id is pruned and the totals stay.
  auto pruned = fold_stale_reports(plan.retired, {reports[1]}, now, seconds(120));
  EXPECT_TRUE(pruned.changed);
  EXPECT_TRUE(pruned.retired.folded_replicas.empty());
  EXPECT_EQ(sum_admission(pruned.retired, {reports[1]})["p"].counts.denied,
            before["p"].counts.denied);
}

// Verifies that recent violations keep the newest ten across replicas, newest first.
TEST(AdmissionReportsTest, KeepsNewestTenViolations) {
  auto now = Clock::now();
  std::vector<api::Violation> a, b;
  for (int i = 0; i < 8; ++i)
    a.push_back(violation("2026-01-01T00:00:0" + std::to_string(i) + "Z", "a"));
  for (int i = 0; i < 8; ++i)
    b.push_back(violation("2026-01-01T00:01:0" + std::to_string(i) + "Z", "b"));
  auto sum = sum_admission({}, {report("a", now, 0, a), report("b", now, 0, b)});
  const auto& recent = sum["p"].recent;
  ASSERT_EQ(recent.size(), 10u);
  EXPECT_EQ(recent.front().time, "2026-01-01T00:01:07Z");
  EXPECT_EQ(recent.back().time, "2026-01-01T00:00:06Z");
}

// Verifies that reports and totals survive a round trip through their ConfigMap JSON.
TEST(AdmissionReportsTest, RoundTripsJson) {
  auto now = std::chrono::time_point_cast<seconds>(Clock::now());
  auto r = report("a", now, 7, {violation("2026-01-01T00:00:00Z", "x")});
  auto back = admission_report_from_json(to_json(r));
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(back->heartbeat, now);
  EXPECT_EQ(back->policies["p"].counts.denied, 7);
  EXPECT_EQ(back->policies["p"].recent[0].name, "x");

  RetiredTotals retired;
  retired.folded_replicas = {"x", "y"};
  retired.policies["p"].counts.denied = 3;
  auto totals = retired_totals_from_json(to_json(retired));
  ASSERT_TRUE(totals.ok());
  EXPECT_EQ(totals->folded_replicas.size(), 2u);
  EXPECT_EQ(totals->policies["p"].counts.denied, 3);
}

// Verifies that a malformed report is an error naming what is wrong, not a crash.
TEST(AdmissionReportsTest, RejectsMalformedReports) {
  auto bad_time = admission_report_from_json({{"replica", "a"}, {"heartbeat", "yesterday"}});
  ASSERT_FALSE(bad_time.ok());
  EXPECT_NE(bad_time.error().message.find("heartbeat"), std::string::npos);
  EXPECT_FALSE(admission_report_from_json({{"heartbeat", 5}}).ok());
  EXPECT_FALSE(retired_totals_from_json({{"foldedReplicas", {1, 2}}}).ok());
}

}  // namespace
}  // namespace castellan::controller
