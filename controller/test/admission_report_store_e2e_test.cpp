#include <gtest/gtest.h>

#include "controller/admission_report_store.h"
#include "controller/admission_tally.h"
#include "e2e/control_plane_environment.h"
#include "kube/kubeconfig.h"
#include "kube/resources.h"
#include "kube/rest_client.h"

namespace castellan::controller {
namespace {

using e2e::ControlPlaneEnvironment;
using std::chrono::minutes;
using std::chrono::seconds;
using Clock = std::chrono::system_clock;


kube::ApiClientPtr client() {
  auto kubeconfig =
      kube::load_kubeconfig({ControlPlaneEnvironment::control_plane().kubeconfig_path()}, true);
  EXPECT_TRUE(kubeconfig.ok()) << kubeconfig.error().message;
  auto config = kube::client_config_from_kubeconfig(*kubeconfig);
  EXPECT_TRUE(config.ok()) << config.error().message;
  auto made = kube::make_rest_client(*config);
  EXPECT_TRUE(made.ok()) << made.error().message;
  return *made;
}

std::string make_namespace(kube::ApiClient& api, const std::string& name) {
  auto created =
      api.create(kube::kNamespaces, "",
                 {{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", name}}}});
  EXPECT_TRUE(created.ok() || created.error().reason == "AlreadyExists") << created.error().message;
  return name;
}

webhook::AdmissionRequest pod(const std::string& name) {
  webhook::AdmissionRequest r;
  r.kind = "Pod";
  r.namespace_ = "prod";
  r.name = name;
  r.operation = "CREATE";
  return r;
}

webhook::AdmissionOutcome verdict(const std::string& policy, const std::string& v) {
  webhook::AdmissionOutcome o;
  o.policies.push_back(
      {policy, v,
       v == "passed" ? std::vector<std::string>{} : std::vector<std::string>{"rule-" + v}});
  return o;
}

// Observes `allowed` passes and `denied` denials of policy "strict".
void observe(AdmissionTally& tally, int allowed, int denied) {
  for (int i = 0; i < allowed; ++i) tally.observe(pod("ok"), verdict("strict", "passed"));
  for (int i = 0; i < denied; ++i) tally.observe(pod("bad"), verdict("strict", "denied"));
}

std::vector<std::string> report_names(kube::ApiClient& api, const std::string& ns) {
  kube::ListOptions options;
  options.labelSelector = std::string(kAdmissionReportLabel) + "=true";
  auto listed = api.list(kube::kConfigMaps, ns, options);
  EXPECT_TRUE(listed.ok()) << listed.error().message;
  std::vector<std::string> names;
  for (const auto& item : (*listed)["items"])
    names.push_back(item["metadata"]["name"].get<std::string>());
  return names;
}

// Verifies the whole life of per-replica reports: two replicas' reports are summed; when one
// stops reporting its counts are folded into the retired totals and its ConfigMap deleted, with
// the totals unchanged; a report left behind by a crash between saving the totals and deleting
// it is not counted twice.
TEST(AdmissionReportStoreE2E, SumsReplicasAndFoldsStaleOnesOnce) {
  auto api = client();
  auto ns = make_namespace(*api, "admission-reports");
  AdmissionReportStore replica_a(api, ns);
  AdmissionReportStore replica_b(api, ns);
  AdmissionReportStore leader(api, ns);
  const auto now = Clock::now();

  AdmissionTally tally_a;
  AdmissionTally tally_b;
  observe(tally_a, 3, 2);
  observe(tally_b, 5, 1);
  ASSERT_TRUE(replica_a.write(tally_a.snapshot("Manager-A", now - minutes(10))).ok());
  ASSERT_TRUE(replica_b.write(tally_b.snapshot("manager-b", now)).ok());
  // A second write replaces the first rather than failing or adding a report.
  tally_b.observe(pod("ok"), verdict("strict", "passed"));
  ASSERT_TRUE(replica_b.write(tally_b.snapshot("manager-b", now)).ok());
  EXPECT_EQ(report_names(*api, ns).size(), 2u);

  // Nothing is stale yet when stale_after is long.
  auto summed = leader.collect(now, minutes(30));
  ASSERT_TRUE(summed.ok()) << summed.error().message;
  EXPECT_EQ(summed->at("strict").counts.allowed, 9);
  EXPECT_EQ(summed->at("strict").counts.denied, 3);
  EXPECT_EQ(summed->at("strict").recent.size(), 3u);
  EXPECT_EQ(report_names(*api, ns).size(), 2u);

  // Replica A has not reported for ten minutes: folded, its ConfigMap deleted, totals kept.
  auto folded = leader.collect(now, minutes(1));
  ASSERT_TRUE(folded.ok()) << folded.error().message;
  EXPECT_EQ(folded->at("strict").counts.allowed, 9);
  EXPECT_EQ(folded->at("strict").counts.denied, 3);
  EXPECT_EQ(report_names(*api, ns),
            std::vector<std::string>{AdmissionReportStore::config_map_name("manager-b")});
  auto retired = leader.load_retired();
  ASSERT_TRUE(retired.ok()) << retired.error().message;
  EXPECT_EQ(retired->folded_replicas.count("Manager-A"), 1u);
  EXPECT_EQ(retired->policies.at("strict").counts.allowed, 3);

  // A crash after saving the totals left A's report behind: it is neither counted nor kept.
  ASSERT_TRUE(replica_a.write(tally_a.snapshot("Manager-A", now - minutes(10))).ok());
  ASSERT_EQ(report_names(*api, ns).size(), 2u);
  auto again = leader.collect(now, minutes(1));
  ASSERT_TRUE(again.ok()) << again.error().message;
  EXPECT_EQ(again->at("strict").counts.allowed, 9);
  EXPECT_EQ(again->at("strict").counts.denied, 3);
  EXPECT_EQ(report_names(*api, ns).size(), 1u);

  // A new leader reads the same totals.
  AdmissionReportStore next_leader(api, ns);
  auto after_failover = next_leader.collect(now, minutes(1));
  ASSERT_TRUE(after_failover.ok()) << after_failover.error().message;
  EXPECT_EQ(after_failover->at("strict").counts.allowed, 9);
  EXPECT_EQ(after_failover->at("strict").counts.denied, 3);
}

// Verifies that a leader saving retired totals from a stale read fails instead of overwriting
// totals another leader saved meanwhile.
TEST(AdmissionReportStoreE2E, RetiredTotalsAreNotOverwrittenFromAStaleRead) {
  auto api = client();
  auto ns = make_namespace(*api, "admission-retired");
  AdmissionReportStore old_leader(api, ns);
  AdmissionReportStore new_leader(api, ns);
  ASSERT_TRUE(old_leader.load_retired().ok());
  ASSERT_TRUE(new_leader.load_retired().ok());

  RetiredTotals theirs;
  theirs.folded_replicas.insert("gone-1");
  theirs.policies["strict"].counts.denied = 4;
  ASSERT_TRUE(new_leader.save_retired(theirs).ok());

  RetiredTotals mine;
  mine.folded_replicas.insert("gone-2");
  auto lost = old_leader.save_retired(mine);
  ASSERT_FALSE(lost.ok());
  EXPECT_EQ(lost.error().code, 409);

  auto stored = old_leader.load_retired();
  ASSERT_TRUE(stored.ok()) << stored.error().message;
  EXPECT_EQ(stored->folded_replicas, std::set<std::string>{"gone-1"});
  EXPECT_EQ(stored->policies.at("strict").counts.denied, 4);
}

// Verifies that an undecodable report is skipped instead of failing the whole sum.
TEST(AdmissionReportStoreE2E, SkipsUndecodableReports) {
  auto api = client();
  auto ns = make_namespace(*api, "admission-garbage");
  AdmissionReportStore store(api, ns);
  AdmissionTally tally;
  observe(tally, 2, 0);
  ASSERT_TRUE(store.write(tally.snapshot("good", Clock::now())).ok());
  nlohmann::json garbage = {
      {"apiVersion", "v1"},
      {"kind", "ConfigMap"},
      {"metadata",
       {{"name", "castellan-admission-garbage"}, {"labels", {{kAdmissionReportLabel, "true"}}}}},
      {"data", {{"report.json", "{not json"}}}};
  ASSERT_TRUE(api->create(kube::kConfigMaps, ns, garbage).ok());

  auto summed = store.collect(Clock::now(), minutes(5));
  ASSERT_TRUE(summed.ok()) << summed.error().message;
  EXPECT_EQ(summed->at("strict").counts.allowed, 2);
}

}  // namespace
}  // namespace castellan::controller
