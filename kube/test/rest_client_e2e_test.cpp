#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include "e2e/control_plane_environment.h"
#include "kube/conflict.h"
#include "kube/discovery.h"
#include "kube/kubeconfig.h"
#include "kube/list_all.h"
#include "kube/rest_client.h"

namespace castellan::kube {
namespace {

using e2e::ControlPlaneEnvironment;

const GroupVersionResource kPolicies{"castellan.io", "v1alpha1", "securitypolicies", false};
const GroupVersionResource kConfigMaps{"", "v1", "configmaps", true};
const GroupVersionResource kNamespaces{"", "v1", "namespaces", false};

ClientConfig local_config() {
  auto kubeconfig =
      load_kubeconfig({ControlPlaneEnvironment::control_plane().kubeconfig_path()}, true);
  EXPECT_TRUE(kubeconfig.ok()) << kubeconfig.error().message;
  auto config = client_config_from_kubeconfig(*kubeconfig);
  EXPECT_TRUE(config.ok()) << config.error().message;
  config->qps = 500;
  config->burst = 500;
  return *config;
}

RestClientPtr client(ClientConfig config = local_config()) {
  auto made = make_rest_client(config);
  EXPECT_TRUE(made.ok()) << made.error().message;
  return *made;
}

void ensure_namespace(RestClient& c, const std::string& name) {
  auto created =
      c.create(kNamespaces, "",
               {{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", name}}}});
  ASSERT_TRUE(created.ok() || created.error().reason == "AlreadyExists") << created.error().message;
}

nlohmann::json config_map(const std::string& name, const std::string& value) {
  return {{"apiVersion", "v1"},
          {"kind", "ConfigMap"},
          {"metadata", {{"name", name}}},
          {"data", {{"k", value}}}};
}

// Verifies create, get, update, status through the subresource, list and delete of a
// cluster-scoped SecurityPolicy served from the CRD in crds/.
TEST(RestClientE2E, SecurityPolicyCrudWithStatusSubresource) {
  auto c = client();
  nlohmann::json policy = {{"apiVersion", "castellan.io/v1alpha1"},
                           {"kind", "SecurityPolicy"},
                           {"metadata", {{"name", "crud-policy"}}},
                           {"spec", {{"mode", "Audit"}, {"podSecurity", {{"level", "baseline"}}}}}};
  auto created = c->create(kPolicies, "", policy);
  ASSERT_TRUE(created.ok()) << created.error().message;
  EXPECT_EQ((*created)["metadata"]["generation"], 1);

  auto duplicate = c->create(kPolicies, "", policy);
  ASSERT_FALSE(duplicate.ok());
  EXPECT_EQ(duplicate.error().reason, "AlreadyExists");
  EXPECT_EQ(duplicate.error().code, 409);

  auto fetched = c->get(kPolicies, "", "crud-policy");
  ASSERT_TRUE(fetched.ok()) << fetched.error().message;
  (*fetched)["spec"]["mode"] = "Enforce";
  auto updated = c->update(kPolicies, "", *fetched);
  ASSERT_TRUE(updated.ok()) << updated.error().message;
  EXPECT_EQ((*updated)["spec"]["mode"], "Enforce");
  EXPECT_EQ((*updated)["metadata"]["generation"], 2);

  auto with_status = *updated;
  with_status["status"] = {{"observedGeneration", 2}, {"admission", {{"denied", 7}}}};
  auto status = c->update(kPolicies, "", with_status, "status");
  ASSERT_TRUE(status.ok()) << status.error().message;
  EXPECT_EQ((*status)["status"]["admission"]["denied"], 7);
  EXPECT_EQ((*status)["metadata"]["generation"], 2);

  // Through the main resource, status is ignored: the subresource is the only way in.
  auto main_write = *status;
  main_write["status"]["admission"]["denied"] = 99;
  auto ignored = c->update(kPolicies, "", main_write);
  ASSERT_TRUE(ignored.ok()) << ignored.error().message;
  EXPECT_EQ((*ignored)["status"]["admission"]["denied"], 7);

  auto status_get = c->get(kPolicies, "", "crud-policy", "status");
  ASSERT_TRUE(status_get.ok());
  EXPECT_EQ((*status_get)["status"]["observedGeneration"], 2);

  auto merged = c->patch(kPolicies, "", "crud-policy", PatchType::Merge,
                         R"({"status":{"runtime":{"alerts":3}}})", {"", false, "status"});
  ASSERT_TRUE(merged.ok()) << merged.error().message;
  EXPECT_EQ((*merged)["status"]["runtime"]["alerts"], 3);

  auto list = c->list(kPolicies, "");
  ASSERT_TRUE(list.ok());
  bool found = false;
  for (const auto& item : (*list)["items"]) found |= item["metadata"]["name"] == "crud-policy";
  EXPECT_TRUE(found);

  ASSERT_TRUE(c->remove(kPolicies, "", "crud-policy").ok());
  auto gone = c->get(kPolicies, "", "crud-policy");
  ASSERT_FALSE(gone.ok());
  EXPECT_EQ(gone.error().reason, "NotFound");
  EXPECT_EQ(gone.error().code, 404);
}

// Verifies that an object the schema refuses comes back as Invalid with the field named.
TEST(RestClientE2E, SchemaViolationIsInvalid) {
  auto c = client();
  nlohmann::json policy = {{"apiVersion", "castellan.io/v1alpha1"},
                           {"kind", "SecurityPolicy"},
                           {"metadata", {{"name", "invalid-policy"}}},
                           {"spec", {{"mode", "Sometimes"}}}};
  auto created = c->create(kPolicies, "", policy);
  ASSERT_FALSE(created.ok());
  EXPECT_EQ(created.error().reason, "Invalid");
  EXPECT_EQ(created.error().code, 422);
  EXPECT_NE(created.error().message.find("spec.mode"), std::string::npos)
      << created.error().message;
}

// Verifies that 2,000 ConfigMaps are read back completely in pages of 500 with continue tokens.
TEST(RestClientE2E, PagesThroughTwoThousandConfigMaps) {
  auto c = client();
  ensure_namespace(*c, "paging");
  constexpr int kCount = 2000;
  std::atomic<bool> failed{false};
  std::mutex mu;
  std::string first_error;
  std::vector<std::thread> writers;
  for (int w = 0; w < 4; ++w) {
    writers.emplace_back([&, w] {
      for (int i = w; i < kCount && !failed; i += 4) {
        auto cm = config_map("cm-" + std::to_string(i), std::to_string(i));
        cm["metadata"]["labels"] = {{"set", "paging"}};
        auto created = c->create(kConfigMaps, "paging", cm);
        if (!created.ok() && !failed.exchange(true)) {
          std::lock_guard lock(mu);
          first_error = created.error().message;
        }
      }
    });
  }
  for (auto& t : writers) t.join();
  ASSERT_FALSE(failed) << first_error;

  int pages = 0;
  ListOptions options;
  options.limit = 500;
  options.labelSelector = "set=paging";
  std::size_t seen = 0;
  auto rv = list_pages(*c, kConfigMaps, "paging", options, [&](nlohmann::json& page) {
    ++pages;
    seen += page["items"].size();
    return true;
  });
  ASSERT_TRUE(rv.ok()) << rv.error().message;
  EXPECT_EQ(pages, 4);
  EXPECT_EQ(seen, static_cast<std::size_t>(kCount));

  auto all = list_all(*c, kConfigMaps, "paging", options);
  ASSERT_TRUE(all.ok()) << all.error().message;
  std::set<std::string> names;
  for (const auto& item : (*all)["items"])
    names.insert(item["metadata"]["name"].get<std::string>());
  EXPECT_EQ(names.size(), static_cast<std::size_t>(kCount));
  EXPECT_FALSE((*all)["metadata"]["resourceVersion"].get<std::string>().empty());
}

// Verifies that server-side apply is idempotent, that another manager's change to an owned field
// conflicts, and that force takes the field over.
TEST(RestClientE2E, ServerSideApplyIsIdempotent) {
  auto c = client();
  ensure_namespace(*c, "apply");
  std::string manifest = config_map("applied", "one").dump();
  auto first = c->patch(kConfigMaps, "apply", "applied", PatchType::Apply, manifest,
                        {"castellan-test", false, ""});
  ASSERT_TRUE(first.ok()) << first.error().message;
  auto second = c->patch(kConfigMaps, "apply", "applied", PatchType::Apply, manifest,
                         {"castellan-test", false, ""});
  ASSERT_TRUE(second.ok()) << second.error().message;
  EXPECT_EQ((*first)["metadata"]["resourceVersion"], (*second)["metadata"]["resourceVersion"]);

  std::string other = config_map("applied", "two").dump();
  auto conflict = c->patch(kConfigMaps, "apply", "applied", PatchType::Apply, other,
                           {"someone-else", false, ""});
  ASSERT_FALSE(conflict.ok());
  EXPECT_EQ(conflict.error().code, 409);
  EXPECT_EQ(conflict.error().reason, "Conflict");
  auto forced = c->patch(kConfigMaps, "apply", "applied", PatchType::Apply, other,
                         {"someone-else", true, ""});
  ASSERT_TRUE(forced.ok()) << forced.error().message;
  EXPECT_EQ((*forced)["data"]["k"], "two");

  auto no_manager = c->patch(kConfigMaps, "apply", "applied", PatchType::Apply, other, {});
  ASSERT_FALSE(no_manager.ok());
  EXPECT_NE(no_manager.error().message.find("fieldManager is required"), std::string::npos);
}

// Verifies JSON and strategic-merge patches on a core resource.
TEST(RestClientE2E, JsonAndStrategicMergePatches) {
  auto c = client();
  ensure_namespace(*c, "patching");
  ASSERT_TRUE(c->create(kConfigMaps, "patching", config_map("p", "v0")).ok());
  auto json_patch = c->patch(kConfigMaps, "patching", "p", PatchType::Json,
                             R"([{"op":"replace","path":"/data/k","value":"v1"}])");
  ASSERT_TRUE(json_patch.ok()) << json_patch.error().message;
  EXPECT_EQ((*json_patch)["data"]["k"], "v1");
  auto strategic = c->patch(kConfigMaps, "patching", "p", PatchType::StrategicMerge,
                            R"({"metadata":{"labels":{"x":"y"}}})");
  ASSERT_TRUE(strategic.ok()) << strategic.error().message;
  EXPECT_EQ((*strategic)["metadata"]["labels"]["x"], "y");
  auto bad = c->patch(kConfigMaps, "patching", "p", PatchType::Json, R"({"not":"a list"})");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, 400) << bad.error().message;
}

// Verifies that a stale update conflicts, and update_with_retry re-reads and wins after another
// writer slips in between its read and its write.
TEST(RestClientE2E, ConflictIsRetried) {
  auto c = client();
  ensure_namespace(*c, "conflict");
  auto created = c->create(kConfigMaps, "conflict", config_map("contended", "0"));
  ASSERT_TRUE(created.ok());
  auto stale = *created;
  ASSERT_TRUE(
      c->patch(kConfigMaps, "conflict", "contended", PatchType::Merge, R"({"data":{"other":"x"}})")
          .ok());
  stale["data"]["k"] = "stale";
  auto refused = c->update(kConfigMaps, "conflict", stale);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().reason, "Conflict");

  int attempts = 0;
  auto result = update_with_retry(
      *c, kConfigMaps, "conflict", "contended", [&](nlohmann::json& object) -> Status {
        if (++attempts == 1) {
          auto other = c->patch(kConfigMaps, "conflict", "contended", PatchType::Merge,
                                R"({"data":{"other":"y"}})");
          if (!other.ok()) return other.error();
        }
        object["data"]["k"] = "mine";
        return Status::Ok();
      });
  ASSERT_TRUE(result.ok()) << result.error().message;
  EXPECT_EQ(attempts, 2);
  EXPECT_EQ((*result)["data"]["k"], "mine");
  EXPECT_EQ((*result)["data"]["other"], "y");
}

// Verifies that delete honours uid and resourceVersion preconditions.
TEST(RestClientE2E, DeleteWithPreconditions) {
  auto c = client();
  ensure_namespace(*c, "deleting");
  auto created = c->create(kConfigMaps, "deleting", config_map("guarded", "v"));
  ASSERT_TRUE(created.ok());
  DeleteOptions wrong_uid;
  wrong_uid.preconditionUid = "00000000-0000-0000-0000-000000000000";
  auto refused = c->remove(kConfigMaps, "deleting", "guarded", wrong_uid);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, 409);
  DeleteOptions wrong_version;
  wrong_version.preconditionResourceVersion = "1";
  EXPECT_FALSE(c->remove(kConfigMaps, "deleting", "guarded", wrong_version).ok());
  EXPECT_TRUE(c->get(kConfigMaps, "deleting", "guarded").ok());

  DeleteOptions right;
  right.preconditionUid = (*created)["metadata"]["uid"];
  right.preconditionResourceVersion = (*created)["metadata"]["resourceVersion"];
  right.propagationPolicy = "Background";
  auto deleted = c->remove(kConfigMaps, "deleting", "guarded", right);
  ASSERT_TRUE(deleted.ok()) << deleted.error().message;
  EXPECT_EQ(c->get(kConfigMaps, "deleting", "guarded").error().reason, "NotFound");
  EXPECT_EQ(c->remove(kConfigMaps, "deleting", "guarded").error().reason, "NotFound");
}

// Verifies that a watch from a list's resourceVersion sees add, modify and delete in order.
TEST(RestClientE2E, WatchSeesAddModifyDeleteInOrder) {
  auto c = client();
  ensure_namespace(*c, "watching");
  auto list = c->list(kConfigMaps, "watching");
  ASSERT_TRUE(list.ok());
  WatchOptions options;
  options.resourceVersion = (*list)["metadata"]["resourceVersion"];
  options.timeoutSeconds = 60;
  std::vector<std::string> seen;
  std::atomic<bool> stop{false};
  Status watch_status;
  std::thread watcher([&] {
    watch_status = c->watch(
        kConfigMaps, "watching", options,
        [&](const WatchEvent& event) {
          if (event.type == "BOOKMARK") return true;
          seen.push_back(event.type + " " + event.object["data"]["k"].get<std::string>());
          return event.type != "DELETED";
        },
        stop);
  });
  ASSERT_TRUE(c->create(kConfigMaps, "watching", config_map("w", "1")).ok());
  ASSERT_TRUE(
      c->patch(kConfigMaps, "watching", "w", PatchType::Merge, R"({"data":{"k":"2"}})").ok());
  ASSERT_TRUE(c->remove(kConfigMaps, "watching", "w").ok());
  watcher.join();
  ASSERT_TRUE(watch_status.ok()) << watch_status.error().message;
  EXPECT_EQ(seen, (std::vector<std::string>{"ADDED 1", "MODIFIED 2", "DELETED 2"}));
}

// Verifies that setting `stop` ends a quiet watch with Ok.
TEST(RestClientE2E, WatchReturnsWhenStopped) {
  auto c = client();
  ensure_namespace(*c, "quiet");
  std::atomic<bool> stop{false};
  std::atomic<bool> returned{false};
  Status watch_status = Error::make("not returned");
  std::thread watcher([&] {
    watch_status = c->watch(
        kConfigMaps, "quiet", {}, [](const WatchEvent&) { return true; }, stop);
    returned = true;
  });
  stop = true;
  watcher.join();
  EXPECT_TRUE(returned);
  EXPECT_TRUE(watch_status.ok()) << watch_status.error().message;
}

// Verifies that discovery maps SecurityPolicy, ConfigMap and Lease to their resources.
TEST(RestClientE2E, DiscoveryFindsSecurityPolicies) {
  auto c = client();
  Discovery discovery([c](const std::string& path) { return c->get_path(path); });
  auto policy = discovery.resource_for_group_kind("castellan.io", "SecurityPolicy");
  ASSERT_TRUE(policy.ok()) << policy.error().message;
  EXPECT_EQ(policy->resource, "securitypolicies");
  EXPECT_EQ(policy->version, "v1alpha1");
  EXPECT_FALSE(policy->namespaced);
  auto cm = discovery.resource_for("v1", "ConfigMap");
  ASSERT_TRUE(cm.ok());
  EXPECT_EQ(cm->resource, "configmaps");
  EXPECT_TRUE(cm->namespaced);
  auto lease = discovery.resource_for_group_kind("coordination.k8s.io", "Lease");
  ASSERT_TRUE(lease.ok()) << lease.error().message;
  EXPECT_EQ(lease->resource, "leases");
  EXPECT_FALSE(discovery.resource_for("castellan.io/v1alpha1", "NoSuchKind").ok());
}

// Verifies that sequential requests reuse one keep-alive connection.
TEST(RestClientE2E, ConnectionsAreReused) {
  auto made = make_transport(local_config());
  ASSERT_TRUE(made.ok());
  auto transport = *made;
  RestClient c(transport);
  for (int i = 0; i < 20; ++i) ASSERT_TRUE(c.get_path("/version").ok());
  EXPECT_EQ(transport->pool().created_count(), 1u);
  EXPECT_EQ(transport->pool().idle_count(), 1u);
}

// Verifies that several threads share one client safely.
TEST(RestClientE2E, ConcurrentCallsFromThreads) {
  auto c = client();
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < 25; ++i)
        if (!c->list(kNamespaces, "").ok()) ++failures;
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
}

// Verifies that the server certificate is checked: an unrelated CA and a wrong host name are
// refused, and insecure-skip-tls-verify connects anyway.
TEST(RestClientE2E, TlsVerificationRefusesWrongCaAndName) {
  auto wrong_name = local_config();
  wrong_name.tls_server_name = "not-the-apiserver.example";
  wrong_name.max_retries = 0;
  auto a = client(wrong_name)->get_path("/version");
  ASSERT_FALSE(a.ok());
  EXPECT_NE(a.error().message.find("TLS handshake"), std::string::npos) << a.error().message;

  auto no_ca = local_config();
  no_ca.ca_pem.clear();  // the system store does not know the local CA
  no_ca.max_retries = 0;
  auto b = client(no_ca)->get_path("/version");
  ASSERT_FALSE(b.ok());
  EXPECT_NE(b.error().message.find("certificate verify failed"), std::string::npos)
      << b.error().message;

  auto insecure = local_config();
  insecure.ca_pem.clear();
  insecure.insecure_skip_tls_verify = true;
  EXPECT_TRUE(client(insecure)->get_path("/version").ok());
}

// Verifies that a bad token is answered 401 Unauthorized, and a token file is used.
TEST(RestClientE2E, BadTokenIsUnauthorized) {
  auto config = local_config();
  config.bearer_token = "wrong";
  auto denied = client(config)->list(kNamespaces, "");
  ASSERT_FALSE(denied.ok());
  EXPECT_EQ(denied.error().code, 401);
  EXPECT_EQ(denied.error().reason, "Unauthorized");
}

// Verifies that a server that is not listening gives a connection error with code 0, after
// the configured retries.
TEST(RestClientE2E, ConnectionRefusedIsTransportError) {
  auto config = local_config();
  config.server = "https://127.0.0.1:1";
  config.max_retries = 1;
  auto result = client(config)->get_path("/version");
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, 0);
  EXPECT_NE(result.error().message.find("cannot connect to 127.0.0.1:1"), std::string::npos)
      << result.error().message;
}

// Verifies that a watch from a compacted version yields 410 (as an ERROR event
// or the answer itself), so a caller knows to relist. Restarts the API server: runs last.
TEST(RestClientE2E, WatchFromTooOldVersionIsGone) {
  auto c = client();
  ensure_namespace(*c, "expired");
  auto old = c->create(kConfigMaps, "expired", config_map("a", "1"));
  ASSERT_TRUE(old.ok());
  ASSERT_TRUE(
      c->patch(kConfigMaps, "expired", "a", PatchType::Merge, R"({"data":{"k":"2"}})").ok());
  // After compaction and a restart, neither etcd nor the API server's watch cache has the old
  // version any more.
  auto& plane = ControlPlaneEnvironment::control_plane();
  ASSERT_TRUE(plane.compact_etcd().ok());
  auto restarted = plane.restart_apiserver();
  ASSERT_TRUE(restarted.ok()) << restarted.error().message;
  WatchOptions options;
  options.resourceVersion = (*old)["metadata"]["resourceVersion"];
  options.timeoutSeconds = 5;
  std::atomic<bool> stop{false};
  int error_code = 0;
  auto status = c->watch(
      kConfigMaps, "expired", options,
      [&](const WatchEvent& event) {
        if (event.type == "ERROR") {
          error_code = event.object.value("code", 0);
          return false;
        }
        return true;
      },
      stop);
  if (status.ok()) {
    EXPECT_EQ(error_code, 410);
  } else {
    EXPECT_EQ(status.error().code, 410) << status.error().message;
  }
}

}  // namespace
}  // namespace castellan::kube
