#include "controller/admission_tally.h"

#include <gtest/gtest.h>

#include <thread>

#include "controller/time_format.h"
#include "kube/clock_fake.h"

namespace castellan::controller {
namespace {

using webhook::AdmissionOutcome;
using webhook::AdmissionRequest;
using webhook::PolicyVerdict;

AdmissionRequest pod(const std::string& name, const std::string& operation = "CREATE") {
  AdmissionRequest r;
  r.kind = "Pod";
  r.namespace_ = "prod";
  r.name = name;
  r.operation = operation;
  r.object = {{"metadata", {{"name", name}}}};
  return r;
}

AdmissionOutcome outcome(std::vector<PolicyVerdict> policies) {
  AdmissionOutcome o;
  o.policies = std::move(policies);
  return o;
}

// Verifies that verdicts are counted per policy: passed as allowed, denied as denied, warned
// and audited as warned.
TEST(AdmissionTallyTest, CountsVerdictsPerPolicy) {
  AdmissionTally tally;
  tally.observe(pod("a"), outcome({{"strict", "denied", {"podSecurity.restricted.runAsNonRoot"}},
                                   {"audit", "audited", {"images.requireDigest"}}}));
  tally.observe(pod("b"), outcome({{"strict", "passed", {}}, {"audit", "passed", {}}}));
  tally.observe(pod("c"), outcome({{"strict", "passed", {}}, {"warn", "warned", {"x"}}}));

  auto report = tally.snapshot("replica-1", std::chrono::system_clock::now());
  EXPECT_EQ(report.replica, "replica-1");
  ASSERT_EQ(report.policies.size(), 3u);
  const auto& strict = report.policies.at("strict").counts;
  EXPECT_EQ(strict.allowed, 2);
  EXPECT_EQ(strict.denied, 1);
  EXPECT_EQ(strict.warned, 0);
  const auto& audit = report.policies.at("audit").counts;
  EXPECT_EQ(audit.allowed, 1);
  EXPECT_EQ(audit.denied, 0);
  EXPECT_EQ(audit.warned, 1);
  EXPECT_EQ(report.policies.at("warn").counts.warned, 1);
}

// Verifies that /mutate outcomes (patched verdicts) and skipped requests count nothing, so a
// request seen by both endpoints is counted once.
TEST(AdmissionTallyTest, IgnoresPatchedVerdicts) {
  AdmissionTally tally;
  auto mutated = outcome({{"strict", "patched", {}}});
  mutated.verdict = "patched";
  tally.observe(pod("a"), mutated);
  AdmissionOutcome skipped;
  skipped.verdict = "skipped";
  tally.observe(pod("a", "DELETE"), skipped);
  EXPECT_TRUE(tally.snapshot("r", {}).policies.empty());

  tally.observe(pod("a"), outcome({{"strict", "passed", {}}}));
  auto report = tally.snapshot("r", {});
  EXPECT_EQ(report.policies.at("strict").counts.allowed, 1);
  EXPECT_EQ(report.policies.at("strict").counts.denied, 0);
}

// Verifies that each failed rule becomes a violation naming the resource, the rule and what
// happened, stamped with the clock's time.
TEST(AdmissionTallyTest, RecordsOneViolationPerFailedRule) {
  auto clock = std::make_shared<kube::FakeClock>();
  AdmissionTally tally(clock);
  tally.observe(
      pod("web"),
      outcome({{"strict",
                "denied",
                {"podSecurity.restricted.runAsNonRoot", "containers.requireResourceLimits"}}}));
  auto recent = tally.snapshot("r", {}).policies.at("strict").recent;
  ASSERT_EQ(recent.size(), 2u);
  EXPECT_EQ(recent[0].time, format_rfc3339(clock->wall_now()));
  EXPECT_EQ(recent[0].kind, "Pod");
  EXPECT_EQ(recent[0].namespace_, "prod");
  EXPECT_EQ(recent[0].name, "web");
  EXPECT_EQ(recent[0].rule, "podSecurity.restricted.runAsNonRoot");
  EXPECT_EQ(recent[0].message, "CREATE denied by rule podSecurity.restricted.runAsNonRoot");
  EXPECT_EQ(recent[1].rule, "containers.requireResourceLimits");
}

// Verifies that an object created with generateName is shown by its prefix.
TEST(AdmissionTallyTest, NamesGeneratedObjectsByPrefix) {
  AdmissionTally tally;
  AdmissionRequest request = pod("");
  request.object = {{"metadata", {{"generateName", "web-7d9f-"}}}};
  tally.observe(request, outcome({{"strict", "warned", {"images.disallowLatestTag"}}}));
  auto recent = tally.snapshot("r", {}).policies.at("strict").recent;
  ASSERT_EQ(recent.size(), 1u);
  EXPECT_EQ(recent[0].name, "web-7d9f-*");
  EXPECT_EQ(recent[0].message, "CREATE warned by rule images.disallowLatestTag");
}

// Verifies that only the newest ten violations are kept, newest first, while counts go on.
TEST(AdmissionTallyTest, KeepsTheNewestTenViolations) {
  auto clock = std::make_shared<kube::FakeClock>();
  AdmissionTally tally(clock);
  for (int i = 0; i < 15; ++i) {
    tally.observe(pod("pod-" + std::to_string(i)), outcome({{"strict", "denied", {"rule"}}}));
    clock->advance(std::chrono::seconds(1));
  }
  const auto strict = tally.snapshot("r", {}).policies.at("strict");
  EXPECT_EQ(strict.counts.denied, 15);
  ASSERT_EQ(strict.recent.size(), kRecentViolations);
  EXPECT_EQ(strict.recent.front().name, "pod-14");
  EXPECT_EQ(strict.recent.back().name, "pod-5");
  EXPECT_GT(strict.recent.front().time, strict.recent.back().time);
}

// Verifies that decisions observed from several I/O threads at once are all counted.
TEST(AdmissionTallyTest, CountsEveryDecisionFromConcurrentThreads) {
  AdmissionTally tally;
  constexpr int kThreads = 4;
  constexpr int kEach = 2000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&tally, t] {
      for (int i = 0; i < kEach; ++i) {
        const char* verdict = (i % 2 == 0) ? "passed" : "denied";
        tally.observe(pod("p" + std::to_string(t)), outcome({{"strict", verdict, {"rule"}}}));
      }
    });
  }
  for (auto& th : threads) th.join();
  const auto counts = tally.snapshot("r", {}).policies.at("strict").counts;
  EXPECT_EQ(counts.allowed, kThreads * kEach / 2);
  EXPECT_EQ(counts.denied, kThreads * kEach / 2);
}

}  // namespace
}  // namespace castellan::controller
