#include "kube/leader_election.h"

#include <gtest/gtest.h>

#include "kube/clock_fake.h"
#include "kube/test/informer_fake_api_client.h"

namespace castellan::kube {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using testing::eventually;
using testing::FakeApiClient;

double no_jitter() { return 0.0; }

struct Candidate {
  Candidate(std::shared_ptr<FakeApiClient> api, std::shared_ptr<FakeClock> clock,
            const std::string& id, bool release = true) {
    LeaderElectionConfig config;
    config.lease_namespace = "kube-system";
    config.lease_name = "castellan";
    config.identity = id;
    config.release_on_cancel = release;
    config.on_started_leading = [this] { ++started; };
    config.on_stopped_leading = [this] { ++stopped; };
    config.on_new_leader = [this](const std::string& who) {
      std::lock_guard<std::mutex> lock(mu);
      leaders.push_back(who);
    };
    elector = std::make_unique<LeaderElector>(api, config, clock, no_jitter);
  }
  std::atomic<int> started{0};
  std::atomic<int> stopped{0};
  std::mutex mu;
  std::vector<std::string> leaders;
  std::unique_ptr<LeaderElector> elector;
};

json stored_lease(FakeApiClient& api) {
  auto leases = api.stored("leases");
  return leases.empty() ? json() : leases.front();
}

// Verifies that a candidate creates a missing Lease, leads, and writes a valid record.
TEST(LeaderElectionTest, AcquiresMissingLease) {
  auto api = std::make_shared<FakeApiClient>();
  auto clock = std::make_shared<FakeClock>();
  Candidate a(api, clock, "a");
  ASSERT_TRUE(a.elector->start().ok());
  ASSERT_TRUE(eventually([&] { return a.started.load() == 1; }));
  EXPECT_TRUE(a.elector->is_leader());
  json lease = stored_lease(*api);
  EXPECT_EQ(lease["spec"]["holderIdentity"], "a");
  EXPECT_EQ(lease["spec"]["leaseDurationSeconds"], 15);
  EXPECT_EQ(lease["spec"]["leaseTransitions"], 0);
  EXPECT_TRUE(parse_micro_time(lease["spec"]["renewTime"]).ok());
  EXPECT_EQ(a.elector->leader(), "a");
}

// Verifies that of two candidates exactly one leads, the other sees it as leader, and a
// leader's renewals keep the other out indefinitely.
TEST(LeaderElectionTest, ExactlyOneOfTwoLeads) {
  auto api = std::make_shared<FakeApiClient>();
  auto clock = std::make_shared<FakeClock>();
  Candidate a(api, clock, "a");
  ASSERT_TRUE(a.elector->start().ok());
  ASSERT_TRUE(eventually([&] { return a.started.load() == 1; }));
  Candidate b(api, clock, "b");
  ASSERT_TRUE(b.elector->start().ok());
  ASSERT_TRUE(eventually([&] { return clock->waiters() == 2; }));
  for (int i = 0; i < 30; ++i) {  // a minute of renewals
    clock->advance(2s);
    ASSERT_TRUE(eventually([&] { return clock->waiters() == 2; }));
  }
  EXPECT_TRUE(a.elector->is_leader());
  EXPECT_FALSE(b.elector->is_leader());
  EXPECT_EQ(b.started.load(), 0);
  EXPECT_EQ(b.elector->leader(), "a");
  std::lock_guard<std::mutex> lock(b.mu);
  EXPECT_EQ(b.leaders, (std::vector<std::string>{"a"}));
}

// Verifies that when a leader vanishes without releasing, another candidate takes over only
// once the lease duration has passed since it last saw the Lease renewed.
TEST(LeaderElectionTest, TakesOverAfterLeaseDurationWhenLeaderVanishes) {
  auto api = std::make_shared<FakeApiClient>();
  auto clock = std::make_shared<FakeClock>();
  auto a = std::make_unique<Candidate>(api, clock, "a", /*release=*/false);
  ASSERT_TRUE(a->elector->start().ok());
  ASSERT_TRUE(eventually([&] { return a->started.load() == 1; }));
  Candidate b(api, clock, "b");
  ASSERT_TRUE(b.elector->start().ok());
  ASSERT_TRUE(eventually([&] { return clock->waiters() == 2; }));
  a->elector->stop();  // like a crash: no release
  EXPECT_EQ(stored_lease(*api)["spec"]["holderIdentity"], "a");

  // b last saw a change at t=0; every 2 s it looks again. At 14 s the lease is still valid.
  for (int i = 0; i < 7; ++i) {
    clock->advance(2s);
    ASSERT_TRUE(eventually([&] { return clock->waiters() == 1; }));
  }
  EXPECT_FALSE(b.elector->is_leader());
  clock->advance(2s);  // 16 s > 15 s
  ASSERT_TRUE(eventually([&] { return b.started.load() == 1; }));
  json lease = stored_lease(*api);
  EXPECT_EQ(lease["spec"]["holderIdentity"], "b");
  EXPECT_EQ(lease["spec"]["leaseTransitions"], 1);
}

// Verifies that a leader that stops releases the Lease so the next candidate leads at its next
// retry, without waiting for the lease duration.
TEST(LeaderElectionTest, ReleaseOnStopHandsOverAtOnce) {
  auto api = std::make_shared<FakeApiClient>();
  auto clock = std::make_shared<FakeClock>();
  auto a = std::make_unique<Candidate>(api, clock, "a");
  ASSERT_TRUE(a->elector->start().ok());
  ASSERT_TRUE(eventually([&] { return a->started.load() == 1; }));
  Candidate b(api, clock, "b");
  ASSERT_TRUE(b.elector->start().ok());
  ASSERT_TRUE(eventually([&] { return clock->waiters() == 2; }));
  a->elector->stop();
  EXPECT_EQ(a->stopped.load(), 1);
  EXPECT_FALSE(a->elector->is_leader());
  EXPECT_EQ(stored_lease(*api)["spec"]["holderIdentity"], "");
  clock->advance(2s);
  ASSERT_TRUE(eventually([&] { return b.started.load() == 1; }));
  EXPECT_EQ(stored_lease(*api)["spec"]["holderIdentity"], "b");
}

// Verifies that a leader that cannot renew for the renew deadline stops leading, and leads
// again once the API answers.
TEST(LeaderElectionTest, StopsLeadingWhenRenewalsFailPastDeadline) {
  auto api = std::make_shared<FakeApiClient>();
  auto clock = std::make_shared<FakeClock>();
  std::atomic<bool> down{false};
  api->fault = [&](const std::string&) -> std::optional<Error> {
    if (down) return Error::make("connection refused");
    return std::nullopt;
  };
  Candidate a(api, clock, "a");
  ASSERT_TRUE(a.elector->start().ok());
  ASSERT_TRUE(eventually([&] { return a.started.load() == 1; }));
  ASSERT_TRUE(eventually([&] { return clock->waiters() == 1; }));
  down = true;
  for (int i = 0; i < 4; ++i) {  // 8 s of failed renewals: still within the 10 s deadline
    clock->advance(2s);
    ASSERT_TRUE(eventually([&] { return clock->waiters() == 1; }));
  }
  EXPECT_TRUE(a.elector->is_leader());
  clock->advance(2s);
  ASSERT_TRUE(eventually([&] { return a.stopped.load() == 1; }));
  EXPECT_FALSE(a.elector->is_leader());
  down = false;
  ASSERT_TRUE(eventually([&] { return clock->waiters() == 1; }));
  clock->advance(2s);
  ASSERT_TRUE(eventually([&] { return a.started.load() == 2; }));
}

// Verifies that a lost optimistic-concurrency race (Conflict) does not make a candidate leader.
TEST(LeaderElectionTest, ConflictMeansNotLeader) {
  auto api = std::make_shared<FakeApiClient>();
  auto clock = std::make_shared<FakeClock>();
  json lease = {{"metadata", {{"name", "castellan"}, {"namespace", "kube-system"}}}};
  write_lease_record(lease, LeaseRecord{"", 1, {}, {}, 3});
  api->put(kLeases, "kube-system", lease);
  api->fault = [](const std::string& verb) -> std::optional<Error> {
    if (verb == "update") return Error::make("the object has been modified", "Conflict", 409);
    return std::nullopt;
  };
  Candidate a(api, clock, "a");
  ASSERT_TRUE(a.elector->start().ok());
  ASSERT_TRUE(eventually([&] { return clock->waiters() == 1; }));
  EXPECT_FALSE(a.elector->is_leader());
  EXPECT_EQ(a.elector->stats().failures, 1u);
}

// Verifies that inconsistent durations are refused with a reason.
TEST(LeaderElectionTest, RejectsInconsistentDurations) {
  LeaderElectionConfig config;
  config.lease_namespace = "ns";
  config.lease_name = "lease";
  config.identity = "me";
  EXPECT_TRUE(LeaderElector::validate(config).ok());
  config.renew_deadline = 20s;
  auto status = LeaderElector::validate(config);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().message,
            "leader election lease duration must be greater than the renew deadline");
  config.renew_deadline = 2s;
  EXPECT_FALSE(LeaderElector::validate(config).ok());
  LeaderElectionConfig anonymous = config;
  anonymous.renew_deadline = 10s;
  anonymous.identity.clear();
  EXPECT_EQ(LeaderElector::validate(anonymous).error().message,
            "leader election needs an identity");
}

// Verifies MicroTime round trips and that a malformed Lease field is named in the error.
TEST(LeaseTest, RecordRoundTripAndErrors) {
  WallTime t = WallTime{} + std::chrono::seconds(1700000000) + std::chrono::microseconds(123456);
  EXPECT_EQ(format_micro_time(t), "2023-11-14T22:13:20.123456Z");
  EXPECT_EQ(parse_micro_time("2023-11-14T22:13:20.123456Z").value(), t);
  EXPECT_FALSE(parse_micro_time("yesterday").ok());
  json lease;
  write_lease_record(lease, LeaseRecord{"a", 15, t, t, 2});
  auto record = lease_record_from_json(lease);
  ASSERT_TRUE(record.ok());
  EXPECT_EQ(record->holder_identity, "a");
  EXPECT_EQ(record->renew_time, t);
  lease["spec"]["leaseDurationSeconds"] = "15";
  auto bad = lease_record_from_json(lease);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message, "Lease spec.leaseDurationSeconds is not an integer");
}

}  // namespace
}  // namespace castellan::kube
