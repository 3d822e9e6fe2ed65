// Leader election against a real kube-apiserver: two candidates, one Lease.

#include <gtest/gtest.h>

#include <thread>

#include "e2e/control_plane_environment.h"
#include "kube/client_config.h"
#include "kube/leader_election.h"
#include "kube/rest_client.h"

namespace castellan::kube {
namespace {

using namespace std::chrono_literals;

template <typename F>
bool eventually(F done, Duration limit = 60s) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (done()) return true;
    std::this_thread::sleep_for(10ms);
  }
  return done();
}

ApiClientPtr client() {
  LoadOptions load;
  load.kubeconfig = e2e::ControlPlaneEnvironment::control_plane().kubeconfig_path();
  auto config = load_client_config(load);
  EXPECT_TRUE(config.ok()) << config.error().message;
  if (!config.ok()) return nullptr;
  auto rest = make_rest_client(*config);
  EXPECT_TRUE(rest.ok()) << rest.error().message;
  return rest.ok() ? *rest : nullptr;
}

// Each candidate has its own client (own connections), as separate processes would.
struct Candidate {
  Candidate(const std::string& lease, const std::string& id, bool release) {
    LeaderElectionConfig config;
    config.lease_namespace = "default";
    config.lease_name = lease;
    config.identity = id;
    config.lease_duration = 3s;
    config.renew_deadline = 2s;
    config.retry_period = 500ms;
    config.release_on_cancel = release;
    config.on_started_leading = [this] { started = std::chrono::steady_clock::now(); };
    elector = std::make_unique<LeaderElector>(client(), config);
  }
  std::atomic<std::chrono::steady_clock::time_point> started{};
  std::unique_ptr<LeaderElector> elector;
};

// Runs two candidates until one leads and checks that the other stays out while it renews.
// Returns the index of the leader.
int contend(Candidate& a, Candidate& b) {
  EXPECT_TRUE(a.elector->start().ok());
  EXPECT_TRUE(b.elector->start().ok());
  EXPECT_TRUE(eventually([&] { return a.elector->is_leader() || b.elector->is_leader(); }));
  for (int i = 0; i < 100; ++i) {  // about two lease durations of renewals
    EXPECT_NE(a.elector->is_leader(), b.elector->is_leader()) << "exactly one must lead";
    std::this_thread::sleep_for(50ms);
  }
  return a.elector->is_leader() ? 0 : 1;
}

// Verifies that exactly one of two candidates leads, and that when it stops (releasing the
// Lease) the other takes over within the lease duration.
TEST(LeaderElectionE2eTest, OneLeadsOtherTakesOverAfterRelease) {
  Candidate a("release", "a", true), b("release", "b", true);
  int first = contend(a, b);
  Candidate& leader = first == 0 ? a : b;
  Candidate& other = first == 0 ? b : a;
  EXPECT_EQ(other.elector->leader(), first == 0 ? "a" : "b");

  auto stopped = std::chrono::steady_clock::now();
  leader.elector->stop();
  ASSERT_TRUE(eventually([&] { return other.elector->is_leader(); }, 30s));
  auto takeover = other.started.load() - stopped;
  std::printf("Takeover after release: %lld ms\n",
              static_cast<long long>(std::chrono::duration_cast<std::chrono::milliseconds>(takeover).count()));
  EXPECT_LT(takeover, 3s) << "a released Lease must be taken within the lease duration";
}

// Verifies that when the leader vanishes without releasing, the other candidate waits for
// the Lease to expire and then takes over.
TEST(LeaderElectionE2eTest, OtherTakesOverAfterExpiryWhenLeaderVanishes) {
  Candidate a("expiry", "a", false), b("expiry", "b", false);
  int first = contend(a, b);
  Candidate& leader = first == 0 ? a : b;
  Candidate& other = first == 0 ? b : a;

  auto stopped = std::chrono::steady_clock::now();
  leader.elector->stop();
  ASSERT_TRUE(eventually([&] { return other.elector->is_leader(); }, 30s));
  auto takeover = other.started.load() - stopped;
  std::printf("Takeover after expiry: %lld ms\n",
              static_cast<long long>(std::chrono::duration_cast<std::chrono::milliseconds>(takeover).count()));
  // The last renewal was at most one retry period before the stop.
  EXPECT_GE(takeover, 3s - 500ms) << "the Lease was taken before it expired";
}

}  // namespace
}  // namespace castellan::kube
