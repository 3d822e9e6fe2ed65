#include "e2e/control_plane.h"

#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "e2e/control_plane_environment.h"

namespace castellan::e2e {
namespace {

ControlPlane& plane() { return ControlPlaneEnvironment::control_plane(); }

// Runs kubectl and fails the test (with kubectl's stderr) if it did not exit 0.
std::string kubectl_ok(const std::vector<std::string>& args, std::string_view input = {}) {
  auto result = plane().kubectl(args, input);
  EXPECT_TRUE(result.ok()) << result.error().message;
  if (!result.ok()) return {};
  EXPECT_EQ(result->exit_code, 0) << "kubectl " << args[0] << ": " << result->err;
  return result->out;
}

nlohmann::json kubectl_json(const std::vector<std::string>& args) {
  auto args_json = args;
  args_json.insert(args_json.end(), {"-o", "json"});
  const std::string out = kubectl_ok(args_json);
  auto json = nlohmann::json::parse(out, nullptr, /*allow_exceptions=*/false);
  EXPECT_FALSE(json.is_discarded()) << "not JSON: " << out;
  return json;
}

constexpr const char* kPolicy = R"(apiVersion: castellan.io/v1alpha1
kind: SecurityPolicy
metadata:
  name: e2e-crud
spec:
  mode: Audit
  match:
    namespaces: ["prod-*"]
  podSecurity:
    level: baseline
)";

// Verifies that the API server answers /readyz and that the admin token is in system:masters.
TEST(ControlPlaneTest, ApiServerIsReadyAndAdminMayDoAnything) {
  EXPECT_EQ(kubectl_ok({"get", "--raw", "/readyz"}), "ok");
  EXPECT_EQ(kubectl_ok({"auth", "can-i", "*", "*", "--all-namespaces"}), "yes\n");
}

// Verifies that the CA file verifies the serving certificate for 127.0.0.1 and the token works.
TEST(ControlPlaneTest, CaFileAndTokenReachTheServerWithoutSkippingVerification) {
  auto result = run_command({"curl", "-sS", "--fail", "--cacert", plane().ca_file(), "-H",
                             "Authorization: Bearer " + plane().token(),
                             plane().server_url() + "/api/v1/namespaces/default"});
  ASSERT_TRUE(result.ok()) << result.error().message;
  ASSERT_EQ(result->exit_code, 0) << result->err;
  EXPECT_NE(result->out.find("\"name\": \"default\""), std::string::npos) << result->out;
}

// Verifies that the kubeconfig names the server URL, the CA file and the token.
TEST(ControlPlaneTest, KubeconfigDescribesTheServer) {
  std::ifstream in(plane().kubeconfig_path());
  std::stringstream content;
  content << in.rdbuf();
  EXPECT_NE(content.str().find("server: " + plane().server_url()), std::string::npos);
  EXPECT_NE(content.str().find("certificate-authority: " + plane().ca_file()), std::string::npos);
  EXPECT_NE(content.str().find("token: " + plane().token()), std::string::npos);
}

// Verifies that both CRDs from crds/ were accepted and are Established.
TEST(ControlPlaneTest, CrdsAreEstablished) {
  for (const char* name : {"securitypolicies.castellan.io", "nodesensors.castellan.io"}) {
    EXPECT_EQ(kubectl_ok({"get", "crd", name, "-o",
                          "jsonpath={.status.conditions[?(@.type==\"Established\")].status}"}),
              "True")
        << name;
  }
}

// Verifies create, read, update, status through the subresource, and delete of a SecurityPolicy.
TEST(ControlPlaneTest, SecurityPolicyCrudWithStatusSubresource) {
  kubectl_ok({"create", "-f", "-"}, kPolicy);
  auto created = kubectl_json({"get", "securitypolicy", "e2e-crud"});
  EXPECT_EQ(created["spec"]["mode"], "Audit");
  EXPECT_EQ(created["spec"]["match"]["namespaces"][0], "prod-*");

  kubectl_ok({"patch", "securitypolicy", "e2e-crud", "--type=merge", "-p",
              R"({"spec":{"mode":"Enforce"}})"});
  auto updated = kubectl_json({"get", "securitypolicy", "e2e-crud"});
  EXPECT_EQ(updated["spec"]["mode"], "Enforce");
  EXPECT_GT(updated["metadata"]["generation"].get<int>(),
            created["metadata"]["generation"].get<int>());

  // Status written through the main resource is ignored when the subresource is enabled.
  kubectl_ok({"patch", "securitypolicy", "e2e-crud", "--type=merge", "-p",
              R"({"status":{"observedGeneration":99}})"});
  EXPECT_FALSE(kubectl_json({"get", "securitypolicy", "e2e-crud"})["status"].contains(
      "observedGeneration"));

  const int generation = updated["metadata"]["generation"].get<int>();
  kubectl_ok({"patch", "securitypolicy", "e2e-crud", "--subresource=status", "--type=merge", "-p",
              R"({"status":{"observedGeneration":)" + std::to_string(generation) +
                  R"(,"admission":{"allowed":5,"denied":2,"warned":0}}})"});
  auto with_status = kubectl_json({"get", "securitypolicy", "e2e-crud"});
  EXPECT_EQ(with_status["status"]["observedGeneration"], generation);
  EXPECT_EQ(with_status["status"]["admission"]["denied"], 2);
  EXPECT_EQ(with_status["metadata"]["generation"], generation);

  kubectl_ok({"delete", "securitypolicy", "e2e-crud"});
  auto gone = plane().kubectl({"get", "securitypolicy", "e2e-crud"});
  ASSERT_TRUE(gone.ok());
  EXPECT_EQ(gone->exit_code, 1);
  EXPECT_NE(gone->err.find("NotFound"), std::string::npos) << gone->err;
}

// Verifies that the CRD schema is enforced: an unknown mode is refused with a message naming it.
TEST(ControlPlaneTest, SchemaRejectsUnknownMode) {
  std::string bad = kPolicy;
  bad.replace(bad.find("name: e2e-crud"), 14, "name: e2e-bad");
  bad.replace(bad.find("mode: Audit"), 11, "mode: Sometimes");
  auto result = plane().kubectl({"create", "-f", "-"}, bad);
  ASSERT_TRUE(result.ok());
  EXPECT_NE(result->exit_code, 0);
  EXPECT_NE(result->err.find("spec.mode"), std::string::npos) << result->err;
}

// Verifies that `kubectl get secpol` works by short name and shows the printer columns.
TEST(ControlPlaneTest, GetSecpolShowsPrinterColumns) {
  std::string policy = kPolicy;
  policy.replace(policy.find("name: e2e-crud"), 14, "name: e2e-columns");
  kubectl_ok({"apply", "-f", "-"}, policy);
  const std::string table = kubectl_ok({"get", "secpol"});
  const std::string header = table.substr(0, table.find('\n'));
  for (const char* column : {"NAME", "MODE", "READY", "DENIED", "ALERTS", "AGE"}) {
    EXPECT_NE(header.find(column), std::string::npos) << column << " missing in: " << header;
  }
  EXPECT_NE(table.find("e2e-columns"), std::string::npos);
  EXPECT_NE(table.find("Audit"), std::string::npos);
  kubectl_ok({"delete", "secpol", "e2e-columns"});
}

// Verifies that a NodeSensor can be created and its status written through the subresource.
TEST(ControlPlaneTest, NodeSensorAcceptsStatus) {
  kubectl_ok({"create", "-f", "-"},
             "apiVersion: castellan.io/v1alpha1\nkind: NodeSensor\nmetadata:\n  name: e2e-node\n");
  kubectl_ok({"patch", "nodesensor", "e2e-node", "--subresource=status", "--type=merge", "-p",
              R"({"status":{"kernel":"6.1.0"}})"});
  EXPECT_EQ(kubectl_ok({"get", "nodesensor", "e2e-node", "-o", "jsonpath={.status.kernel}"}),
            "6.1.0");
  kubectl_ok({"delete", "nodesensor", "e2e-node"});
}

// Verifies that Pods are admitted although no controller-manager creates service accounts.
TEST(ControlPlaneTest, PodsCanBeCreated) {
  kubectl_ok({"create", "-f", "-"}, R"(apiVersion: v1
kind: Pod
metadata: {name: e2e-pod, namespace: default}
spec:
  containers: [{name: app, image: registry.example.com/app:1}]
)");
  EXPECT_EQ(kubectl_ok({"get", "pod", "e2e-pod", "-o", "jsonpath={.status.phase}"}), "Pending");
  kubectl_ok({"delete", "pod", "e2e-pod", "--grace-period=0", "--force"});
}

// Verifies that kubectl failures come back as an exit code and stderr, not as an error.
TEST(ControlPlaneTest, KubectlReportsFailures) {
  auto result = plane().kubectl({"get", "configmap", "no-such-configmap", "-n", "default"});
  ASSERT_TRUE(result.ok()) << result.error().message;
  EXPECT_EQ(result->exit_code, 1);
  EXPECT_NE(result->err.find("NotFound"), std::string::npos) << result->err;
}

// Verifies that the API server comes back on the same URL with the same data after a restart.
TEST(ControlPlaneTest, RestartApiserverKeepsDataAndAddress) {
  kubectl_ok({"create", "configmap", "e2e-restart", "-n", "default", "--from-literal=k=v"});
  const pid_t before = plane().apiserver_pid();
  const std::string url = plane().server_url();

  ASSERT_TRUE(plane().stop_apiserver().ok());
  auto down = plane().kubectl({"get", "--raw", "/readyz", "--request-timeout=5s"});
  ASSERT_TRUE(down.ok());
  EXPECT_NE(down->exit_code, 0) << "the API server still answered after stop_apiserver()";

  Status started = plane().start_apiserver();
  ASSERT_TRUE(started.ok()) << started.error().message;
  EXPECT_NE(plane().apiserver_pid(), before);
  EXPECT_EQ(plane().server_url(), url);
  EXPECT_EQ(kubectl_ok({"get", "configmap", "e2e-restart", "-n", "default", "-o",
                        "jsonpath={.data.k}"}),
            "v");

  Status restarted = plane().restart_apiserver();
  ASSERT_TRUE(restarted.ok()) << restarted.error().message;
  EXPECT_EQ(kubectl_ok({"get", "--raw", "/readyz"}), "ok");
  kubectl_ok({"delete", "configmap", "e2e-restart", "-n", "default"});
}

// Verifies that after compacting etcd and restarting the API server (so its watch cache starts
// afresh) a watch from an old resourceVersion gets 410 Gone.
TEST(ControlPlaneTest, CompactEtcdExpiresOldResourceVersions) {
  kubectl_ok({"create", "configmap", "e2e-compact", "-n", "default", "--from-literal=k=1"});
  const std::string old_version = kubectl_ok(
      {"get", "configmap", "e2e-compact", "-n", "default", "-o",
       "jsonpath={.metadata.resourceVersion}"});
  kubectl_ok({"patch", "configmap", "e2e-compact", "-n", "default", "--type=merge", "-p",
              R"({"data":{"k":"2"}})"});

  auto before = plane().etcd_revision();
  ASSERT_TRUE(before.ok()) << before.error().message;
  auto compacted = plane().compact_etcd();
  ASSERT_TRUE(compacted.ok()) << compacted.error().message;
  EXPECT_GE(*compacted, *before);
  EXPECT_GT(*compacted, std::stoll(old_version));
  Status restarted = plane().restart_apiserver();
  ASSERT_TRUE(restarted.ok()) << restarted.error().message;

  const std::string watch = kubectl_ok(
      {"get", "--raw",
       "/api/v1/namespaces/default/configmaps?watch=1&timeoutSeconds=2&resourceVersion=" +
           old_version});
  EXPECT_NE(watch.find("\"type\":\"ERROR\""), std::string::npos) << watch;
  EXPECT_NE(watch.find("\"code\":410"), std::string::npos) << watch;
  kubectl_ok({"delete", "configmap", "e2e-compact", "-n", "default"});
}

}  // namespace
}  // namespace castellan::e2e
