#include "controller/runtime_ledger.h"

#include <gtest/gtest.h>

namespace castellan::controller {
namespace {

api::RuntimeViolationEvent event(const std::string& uid, const std::string& policy, int64_t count,
                                 const std::string& time, bool killed = false) {
  api::RuntimeViolationEvent e;
  e.uid = uid;
  e.policy = policy;
  e.rule = "shell";
  e.pod_namespace = "prod";
  e.pod = "web-" + uid;
  e.killed = killed;
  e.count = count;
  e.last_time = time;
  e.message = "exec of /bin/sh";
  return e;
}

const PolicyUids kPolicies = {{"p", "uid-p"}, {"q", "uid-q"}};

// Verifies that an Event's count is counted once, and only its growth later.
TEST(RuntimeLedgerTest, CountsOnlyGrowthOfAnEventsCount) {
  RuntimeLedger ledger;
  auto first = count_new_alerts(ledger, {event("e1", "p", 3, "2026-01-01T00:00:01Z", true)},
                                kPolicies, true);
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(first[0].new_alerts, 3);
  EXPECT_EQ(ledger.policies["p"].alerts, 3);
  EXPECT_EQ(ledger.policies["p"].killed, 3);
  bool changed = true;
  EXPECT_TRUE(count_new_alerts(ledger, {event("e1", "p", 3, "2026-01-01T00:00:01Z", true)},
                               kPolicies, true, &changed)
                  .empty());
  EXPECT_FALSE(changed);
  auto grown = count_new_alerts(ledger, {event("e1", "p", 5, "2026-01-01T00:00:09Z", true)},
                                kPolicies, true, &changed);
  ASSERT_EQ(grown.size(), 1u);
  EXPECT_EQ(grown[0].new_alerts, 2);
  EXPECT_TRUE(changed);
  EXPECT_EQ(ledger.policies["p"].alerts, 5);
  EXPECT_EQ(ledger.policies["p"].recentViolations.front().time, "2026-01-01T00:00:09Z");
}

// Verifies that a ledger written and read back carries on without counting twice.
TEST(RuntimeLedgerTest, SurvivesARoundTrip) {
  RuntimeLedger ledger;
  count_new_alerts(ledger, {event("e1", "p", 2, "2026-01-01T00:00:01Z")}, kPolicies, true);
  add_action(ledger.policies["p"],
             {"t", "DeletePod", "shell", "prod", "web-e1", "n", "", true, "deleted"});
  ledger.policies["p"].responses.taken = 1;
  auto back = runtime_ledger_from_json(nlohmann::json::parse(to_json(ledger).dump()));
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(back->counted.at("e1"), 2);
  EXPECT_EQ(back->policies.at("p").uid, "uid-p");
  EXPECT_EQ(back->policies.at("p").alerts, 2);
  EXPECT_EQ(back->policies.at("p").responses.taken, 1);
  ASSERT_EQ(back->policies.at("p").recentActions.size(), 1u);
  EXPECT_EQ(back->policies.at("p").recentActions[0].message, "deleted");
  auto again =
      count_new_alerts(*back, {event("e1", "p", 2, "2026-01-01T00:00:01Z")}, kPolicies, true);
  EXPECT_TRUE(again.empty());
  EXPECT_FALSE(runtime_ledger_from_json(nlohmann::json{{"version", 2}}).ok());
  EXPECT_FALSE(
      runtime_ledger_from_json(nlohmann::json{{"version", 1}, {"counted", {{"e", "x"}}}}).ok());
}

// Verifies that alerts of unknown policies are marked but not counted, and that marks of
// vanished Events and records of vanished or re-created policies go when the list is complete.
TEST(RuntimeLedgerTest, PrunesWhatNoLongerExists) {
  RuntimeLedger ledger;
  auto alerts = count_new_alerts(
      ledger,
      {event("e1", "p", 1, "2026-01-01T00:00:01Z"), event("e2", "gone", 1, "2026-01-01T00:00:02Z"),
       event("e3", "q", 1, "2026-01-01T00:00:03Z")},
      kPolicies, true);
  EXPECT_EQ(alerts.size(), 2u);
  EXPECT_EQ(ledger.counted.size(), 3u);
  EXPECT_EQ(ledger.policies.count("gone"), 0u);
  // Incomplete lists (before the watch synced) never prune.
  count_new_alerts(ledger, std::vector<api::RuntimeViolationEvent>{}, kPolicies, false);
  EXPECT_EQ(ledger.counted.size(), 3u);
  PolicyUids recreated = {{"p", "uid-p2"}};
  bool changed = false;
  count_new_alerts(ledger, {event("e1", "p", 1, "2026-01-01T00:00:01Z")}, recreated, true,
                   &changed);
  EXPECT_TRUE(changed);
  EXPECT_EQ(ledger.counted.size(), 1u);
  EXPECT_EQ(ledger.policies.count("p"), 0u);
  EXPECT_EQ(ledger.policies.count("q"), 0u);
}

// Verifies that new alerts come oldest first and recent violations keep the newest ten.
TEST(RuntimeLedgerTest, OrdersAlertsAndBoundsRecent) {
  RuntimeLedger ledger;
  std::vector<api::RuntimeViolationEvent> events;
  for (int i = 0; i < 12; ++i) {
    char time[32];
    std::snprintf(time, sizeof time, "2026-01-01T00:00:%02dZ", 59 - i);
    events.push_back(event("e" + std::to_string(i), "p", 1, time));
  }
  auto alerts = count_new_alerts(ledger, events, kPolicies, true);
  ASSERT_EQ(alerts.size(), 12u);
  EXPECT_EQ(alerts.front().event.last_time, "2026-01-01T00:00:48Z");
  EXPECT_EQ(alerts.back().event.last_time, "2026-01-01T00:00:59Z");
  const auto& recent = ledger.policies["p"].recentViolations;
  ASSERT_EQ(recent.size(), 10u);
  EXPECT_EQ(recent.front().time, "2026-01-01T00:00:59Z");
  EXPECT_EQ(recent.front().kind, "Pod");
  EXPECT_EQ(recent.front().rule, "shell");
}

// Verifies that a lost ledger is seeded from status and takes live Events as counted.
TEST(RuntimeLedgerTest, SeedsFromStatusWithoutCountingTwice) {
  api::SecurityPolicyStatus status;
  status.runtime.alerts = 7;
  status.runtime.killed = 2;
  status.responses.skipped = 4;
  std::vector<api::RuntimeViolationEvent> live = {event("e1", "p", 5, "2026-01-01T00:00:01Z")};
  auto ledger = seed_ledger({{"p", {"uid-p", status}}}, pointers_to(live));
  EXPECT_EQ(ledger.policies["p"].alerts, 7);
  EXPECT_EQ(ledger.policies["p"].responses.skipped, 4);
  EXPECT_TRUE(
      count_new_alerts(ledger, {event("e1", "p", 5, "2026-01-01T00:00:01Z")}, kPolicies, true)
          .empty());
  auto more =
      count_new_alerts(ledger, {event("e1", "p", 6, "2026-01-01T00:00:02Z")}, kPolicies, true);
  ASSERT_EQ(more.size(), 1u);
  EXPECT_EQ(ledger.policies["p"].alerts, 8);
}

// Verifies that marks of UUID-named Events are keyed by the UUID's first 64 bits, and others
// by their whole uid.
TEST(RuntimeLedgerTest, MarkKeys) {
  EXPECT_EQ(mark_key("3f2b8c1e-9a4d-4e6f-8b7a-1c2d3e4f5a6b"), "3f2b8c1e9a4d4e6f");
  EXPECT_EQ(mark_key("not-a-uuid"), "not-a-uuid");
  RuntimeLedger ledger;
  auto e = event("3f2b8c1e-9a4d-4e6f-8b7a-1c2d3e4f5a6b", "p", 2, "2026-01-01T00:00:01Z");
  count_new_alerts(ledger, {e}, kPolicies, true);
  EXPECT_EQ(ledger.counted.at("3f2b8c1e9a4d4e6f"), 2);
  EXPECT_TRUE(count_new_alerts(ledger, {e}, kPolicies, true).empty());
}

}  // namespace
}  // namespace castellan::controller
