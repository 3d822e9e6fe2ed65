// The whole runtime loop against a real kube-apiserver and the running kernel: the manager
// (built binary, its own ServiceAccount and RBAC) publishes the policies' runtime rules, the
// sensor (built binary, node mode) loads them and writes RuntimeViolation Events for what runs
// in a "container" (a cgroup named like the kubelet's, mapped to a Pod whose status is what a
// kubelet would write), and the manager counts them into status and answers with the
// policy's responses. Every step is asserted through the API, with kubectl as the client.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <thread>

#include "e2e/control_plane_environment.h"
#include "e2e/http_receiver.h"
#include "e2e/kubectl.h"
#include "e2e/loop/castellan_processes.h"
#include "e2e/loop/fake_kubelet.h"
#include "e2e/loopback_port.h"
#include "kube/client_config.h"
#include "kube/resources.h"
#include "kube/rest_client.h"
#include "sensor/cgroup.h"

namespace castellan::e2e {
namespace {

using nlohmann::json;
using std::chrono::seconds;

constexpr const char* kNode = "loop-node";
constexpr const char* kSystem = "castellan-system";
constexpr const char* kSensorNamespace = "castellan-sensor";  // created by config/sensor

ControlPlane& cp() { return ControlPlaneEnvironment::control_plane(); }

CommandResult kubectl(const std::vector<std::string>& args, const std::string& input = {}) {
  auto r = cp().kubectl(args, input);
  EXPECT_TRUE(r.ok()) << r.error().message;
  return r.ok() ? *r : CommandResult{};
}

void kubectl_ok(const std::vector<std::string>& args, const std::string& input = {}) {
  auto r = kubectl(args, input);
  ASSERT_TRUE(r.ok()) << "kubectl " << args[0] << ": " << r.err;
}

json get_json(const std::vector<std::string>& args) {
  return Kubectl(cp().kubeconfig_path()).get_json(args);
}

// Polls `args` until `done` accepts the object; returns the last object seen.
json wait_for(const std::vector<std::string>& args, const std::function<bool(const json&)>& done,
              seconds timeout = seconds(60)) {
  return Kubectl(cp().kubeconfig_path()).wait_for(args, done, timeout);
}

std::string restricted_container(const std::string& image) {
  return json({{"name", "app"},
               {"image", image},
               {"securityContext",
                {{"runAsNonRoot", true},
                 {"runAsUser", 1000},
                 {"allowPrivilegeEscalation", false},
                 {"capabilities", {{"drop", {"ALL"}}}},
                 {"seccompProfile", {{"type", "RuntimeDefault"}}}}}})
      .dump();
}

json pod(const std::string& ns, const std::string& name, const std::string& image,
         const std::string& node = kNode) {
  return {{"apiVersion", "v1"},
          {"kind", "Pod"},
          {"metadata", {{"name", name}, {"namespace", ns}, {"labels", {{"app", name}}}}},
          {"spec",
           {{"nodeName", node},
            {"containers", json::array({json::parse(restricted_container(image))})}}}};
}

// The manager and the sensor, shared by every test of this binary, in order.
class RuntimeLoop : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (geteuid() != 0)
      GTEST_SKIP() << "the sensor loads BPF programs and the test makes cgroups: run as root";
    auto mount = sensor::find_cgroup2_mount();
    ASSERT_TRUE(mount.ok()) << mount.error().message;
    cgroup_mount_ = *mount;
    auto config = kube::load_client_config({cp().kubeconfig_path(), "", ""});
    ASSERT_TRUE(config.ok()) << config.error().message;
    auto client = kube::make_rest_client(*config);
    ASSERT_TRUE(client.ok()) << client.error().message;
    api_ = *client;

    kubectl({"create", "namespace", kSystem});
    kubectl_ok({"apply", "-k", ControlPlaneOptions::source_dir() + "/config/rbac"});
    kubectl_ok({"apply", "-k", ControlPlaneOptions::source_dir() + "/config/sensor"});
    auto manager_config = service_account_kubeconfig(cp(), kSystem, "castellan-manager");
    ASSERT_TRUE(manager_config.ok()) << manager_config.error().message;
    manager_kubeconfig_ = *manager_config;
    auto sensor_config = service_account_kubeconfig(cp(), kSensorNamespace, "castellan-sensor");
    ASSERT_TRUE(sensor_config.ok()) << sensor_config.error().message;
    sensor_kubeconfig_ = *sensor_config;

    auto port = free_loopback_port();
    ASSERT_TRUE(port.ok());
    port_ = *port;
    start_manager_process("loop-manager-1");
    kubelet_ = new FakeKubelet(api_, kNode, cgroup_mount_);
    ASSERT_TRUE(kubelet_->register_node().ok());
  }

  void SetUp() override {
    if (kubelet_ == nullptr) GTEST_SKIP() << "the suite did not set up (see above)";
  }

  static void TearDownTestSuite() {
    delete sensor_;
    sensor_ = nullptr;
    delete manager_;
    manager_ = nullptr;
    delete kubelet_;
    kubelet_ = nullptr;
  }

  static void start_manager_process(const std::string& identity) {
    delete manager_;
    auto manager = start_manager(cp(), manager_kubeconfig_, identity, port_);
    ASSERT_TRUE(manager.ok()) << manager.error().message;
    manager_ = new CastellanProcess(std::move(*manager));
    ASSERT_TRUE(manager_->wait_for_log("Started leading", seconds(60))) << manager_->log();
  }

  // Starts the sensor once the ruleset exists, and waits until it attached its programs.
  static void ensure_sensor() {
    if (sensor_ != nullptr && sensor_->running()) return;
    delete sensor_;
    auto sensor = start_sensor(cp(), sensor_kubeconfig_, kNode, 2);
    ASSERT_TRUE(sensor.ok()) << sensor.error().message;
    sensor_ = new CastellanProcess(std::move(*sensor));
    ASSERT_TRUE(sensor_->wait_for_log("\"ready\":\"true\"", seconds(60))) << sensor_->log();
  }

  // Applies a restricted pod bound to the node, starts it as a kubelet would, and gives the
  // sensor a moment to map the container's cgroup (it rescans on every Pod change).
  static std::optional<FakeContainer> run_pod(const std::string& ns, const std::string& name,
                                              const std::string& image) {
    auto applied = kubectl({"apply", "-f", "-"}, pod(ns, name, image).dump());
    if (!applied.ok()) {
      ADD_FAILURE() << "kubectl apply of Pod " << ns << "/" << name << ": " << applied.err;
      return std::nullopt;
    }
    auto started = kubelet_->start(ns, name, "app", image, image);
    if (!started.ok()) {
      ADD_FAILURE() << started.error().message;
      return std::nullopt;
    }
    std::this_thread::sleep_for(seconds(2));
    return *started;
  }

  static std::string current_ruleset_hash() {
    auto cm = get_json({"get", "configmap", "castellan-runtime-ruleset", "-n", kSystem});
    return json_text(cm, "/data/hash");
  }

  // Waits until the sensor reports the ruleset the manager published now.
  static void wait_for_sensor_sync() {
    std::string hash;
    auto deadline = std::chrono::steady_clock::now() + seconds(60);
    json sensor;
    while (std::chrono::steady_clock::now() < deadline) {
      hash = current_ruleset_hash();
      sensor = get_json({"get", "nodesensor", kNode});
      if (!hash.empty() && json_text(sensor, "/status/rulesetHash") == hash) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(300));
    }
    FAIL() << "the sensor did not load ruleset " << hash << ": " << sensor.dump();
  }

  static inline std::string cgroup_mount_;
  static inline kube::ApiClientPtr api_;
  static inline std::string manager_kubeconfig_, sensor_kubeconfig_;
  static inline int port_ = 0;
  static inline CastellanProcess* manager_ = nullptr;
  static inline CastellanProcess* sensor_ = nullptr;
  static inline FakeKubelet* kubelet_ = nullptr;
};

const std::string kDigest = "sha256:" + random_hex64();
const std::string kImage = "registry.example.com/web@" + kDigest;

// Verifies the whole story: a privileged pod is denied at apply; a shell in a running pod's
// container is killed, becomes a RuntimeViolation Event and is counted in the policy's status;
// the responses quarantine the image digest (a new pod with it is denied, naming the alert),
// isolate the pod (label and deny-all NetworkPolicy), taint the node, POST to the notify
// receiver (after two failed attempts, with the headers of the Secret) and delete the pod;
// kubectl describe tells it all; and the release annotation lets the digest in again.
TEST_F(RuntimeLoop, ShellInContainerIsKilledCountedAndAnswered) {
  HttpReceiver receiver({ReceiverResponse(500), ReceiverResponse(503)});
  ASSERT_TRUE(receiver.start().ok());
  kubectl_ok({"create", "namespace", "loop-prod"});
  kubectl_ok({"create", "secret", "generic", "loop-notify", "-n", kSystem,
              "--from-literal=X-Castellan-Token=s3cret"});
  std::string policies = R"(
apiVersion: castellan.io/v1alpha1
kind: SecurityPolicy
metadata: {name: loop-restricted}
spec:
  mode: Enforce
  match: {namespaces: [loop-prod]}
  podSecurity: {level: restricted}
---
apiVersion: castellan.io/v1alpha1
kind: SecurityPolicy
metadata: {name: loop-runtime}
spec:
  mode: Audit
  match: {namespaces: [loop-prod]}
  runtime:
    rules:
    - name: shell-in-container
      exec: {names: [sh, bash, dash]}
      action: Kill
    responses:
    - rules: [shell-in-container]
      actions: [DeletePod, Notify, IsolatePod, TaintNode, QuarantineImage]
      notify: {url: ")" + receiver.url("/hooks/castellan") +
                         R"(", headersSecret: loop-notify}
)";
  kubectl_ok({"apply", "-f", "-"}, policies);
  auto restricted = wait_for({"get", "secpol", "loop-restricted"},
                             [](const json& p) { return condition_is(p, "Ready", "True"); });
  ASSERT_TRUE(condition_is(restricted, "Ready", "True")) << restricted.dump();

  // 1. Admission: a privileged pod is denied at kubectl apply.
  auto privileged = pod("loop-prod", "privileged", kImage);
  privileged["spec"]["containers"][0]["securityContext"] = {{"privileged", true}};
  auto denied = kubectl({"apply", "-f", "-"}, privileged.dump());
  EXPECT_FALSE(denied.ok());
  EXPECT_NE(denied.err.find("loop-restricted"), std::string::npos) << denied.err;

  // 2. Runtime: the ruleset reaches the sensor, a shell in the container is killed.
  ensure_sensor();
  wait_for_sensor_sync();
  auto synced = wait_for({"get", "secpol", "loop-runtime"}, [](const json& p) {
    return condition_is(p, "SensorsSynced", "True") &&
           json_text(p, "/status/runtime/nodesInSync") == "1/1";
  });
  EXPECT_TRUE(condition_is(synced, "SensorsSynced", "True")) << synced.dump();
  auto web = run_pod("loop-prod", "web", kImage);
  ASSERT_TRUE(web.has_value());
  int status = kubelet_->exec(*web, {"/bin/sh", "-c", "true"});
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << status;

  auto counted = wait_for({"get", "secpol", "loop-runtime"}, [](const json& p) {
    return json_number(p, "/status/runtime/alerts") >= 1 && json_number(p, "/status/responses/taken") >= 5;
  });
  EXPECT_EQ(json_number(counted, "/status/runtime/alerts"), 1) << counted.dump();
  EXPECT_EQ(json_number(counted, "/status/runtime/killed"), 1);
  auto violations = counted["status"].value("recentViolations", json::array());
  ASSERT_FALSE(violations.empty()) << counted.dump();
  EXPECT_EQ(violations[0].value("rule", ""), "shell-in-container");
  EXPECT_EQ(violations[0].value("name", ""), "web");

  // 3. The responses, each recorded.
  EXPECT_EQ(json_number(counted, "/status/responses/taken"), 5) << counted.dump();
  EXPECT_EQ(json_number(counted, "/status/responses/failed"), 0);
  std::set<std::string> recorded;
  for (const auto& a : counted["status"].value("recentActions", json::array())) {
    if (a.value("succeeded", false)) recorded.insert(a.value("action", ""));
  }
  EXPECT_EQ(recorded, (std::set<std::string>{"DeletePod", "IsolatePod", "Notify", "QuarantineImage",
                                             "TaintNode"}))
      << counted.dump();
  auto quarantined = counted["status"].value("quarantinedDigests", json::array());
  ASSERT_EQ(quarantined.size(), 1u) << counted.dump();
  EXPECT_EQ(quarantined[0].value("digest", ""), kDigest);
  EXPECT_EQ(quarantined[0].value("pod", ""), "web");

  auto isolated = get_json({"get", "pod", "web", "-n", "loop-prod"});
  EXPECT_EQ(json_text(isolated, "/metadata/labels/castellan.io~1quarantine"), "true") << isolated.dump();
  EXPECT_FALSE(json_text(isolated, "/metadata/deletionTimestamp").empty()) << "DeletePod";
  auto netpol = get_json({"get", "networkpolicy", "castellan-quarantine", "-n", "loop-prod"});
  EXPECT_EQ(json_text(netpol, "/spec/podSelector/matchLabels/castellan.io~1quarantine"), "true");
  EXPECT_EQ(netpol["spec"].value("policyTypes", json::array()), json({"Ingress", "Egress"}));
  auto node = get_json({"get", "node", kNode});
  bool tainted = false;
  for (const auto& t : node["spec"].value("taints", json::array())) {
    tainted |=
        t.value("key", "") == "castellan.io/compromised" && t.value("effect", "") == "NoSchedule";
  }
  EXPECT_TRUE(tainted) << node.dump();

  ASSERT_TRUE(receiver.wait_for(3, std::chrono::milliseconds(30000)));
  auto requests = receiver.requests();
  EXPECT_EQ(requests.size(), 3u);
  EXPECT_EQ(requests.back().target, "/hooks/castellan");
  EXPECT_EQ(requests.back().header("X-Castellan-Token"), "s3cret");
  auto body = json::parse(requests.back().body, nullptr, false);
  EXPECT_NE(body.value("text", "").find("shell-in-container"), std::string::npos)
      << requests.back().body;
  EXPECT_EQ(body["alert"].value("pod", ""), "web");

  // The quarantined digest denies a new pod, in an Audit policy, naming the alert (once the
  // webhook configuration, which had nothing to check for this policy, asks for it).
  CommandResult again;
  auto until = std::chrono::steady_clock::now() + seconds(30);
  do {
    again = kubectl({"apply", "--dry-run=server", "-f", "-"},
                    pod("loop-prod", "web-again", kImage).dump());
    if (!again.ok()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  } while (std::chrono::steady_clock::now() < until);
  EXPECT_FALSE(again.ok());
  EXPECT_NE(again.err.find(kDigest), std::string::npos) << again.err;
  EXPECT_NE(again.err.find("shell-in-container"), std::string::npos) << again.err;

  // 4. kubectl describe tells it all.
  auto describe = kubectl({"describe", "securitypolicy", "loop-runtime"});
  for (const char* expected : {"Alerts:", "Killed:", "Quarantined Digests:", "Recent Actions:",
                               "ResponseAction", "shell-in-container", "IsolatePod", "TaintNode"}) {
    EXPECT_NE(describe.out.find(expected), std::string::npos) << expected << "\n" << describe.out;
  }
  auto pod_events = kubectl({"describe", "pod", "web", "-n", "loop-prod"});
  EXPECT_NE(pod_events.out.find("RuntimeViolation"), std::string::npos) << pod_events.out;
  EXPECT_NE(pod_events.out.find("ResponseAction"), std::string::npos) << pod_events.out;

  // Released by annotation: the digest leaves status, and a new pod with it is admitted.
  kubectl_ok(
      {"annotate", "securitypolicy", "loop-runtime", "castellan.io/release-digests=" + kDigest});
  auto released = wait_for({"get", "secpol", "loop-runtime"}, [](const json& p) {
    return p["status"].value("quarantinedDigests", json::array()).empty() &&
           json_text(p, "/metadata/annotations/castellan.io~1release-digests").empty();
  });
  EXPECT_TRUE(released["status"].value("quarantinedDigests", json::array()).empty())
      << released.dump();
  auto deadline = std::chrono::steady_clock::now() + seconds(30);
  CommandResult dry;
  do {
    dry = kubectl({"apply", "--dry-run=server", "-f", "-"},
                  pod("loop-prod", "web-again", kImage).dump());
    if (dry.ok()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  } while (std::chrono::steady_clock::now() < deadline);
  EXPECT_TRUE(dry.ok()) << dry.err;
}

// Verifies that alert counts survive a manager restart: the new process carries on from the
// runtime ledger, neither starting over nor counting old Events again.
TEST_F(RuntimeLoop, CountsSurviveAManagerRestart) {
  kubectl({"create", "namespace", "loop-prod"});
  auto before = get_json({"get", "secpol", "loop-runtime"});
  int64_t alerts = json_number(before, "/status/runtime/alerts");
  ASSERT_GE(alerts, 1) << "runs after ShellInContainerIsKilledCountedAndAnswered";
  manager_->stop();
  start_manager_process("loop-manager-2");
  std::this_thread::sleep_for(seconds(3));  // a few reconciles of the new leader
  auto kept = get_json({"get", "secpol", "loop-runtime"});
  EXPECT_EQ(json_number(kept, "/status/runtime/alerts"), alerts) << kept.dump();

  ensure_sensor();
  const std::string image = "registry.example.com/web@sha256:" + random_hex64();
  auto web = run_pod("loop-prod", "web-2", image);
  ASSERT_TRUE(web.has_value());
  // Three shells: the sensor aggregates them into one Event whose count reaches 3, and the
  // manager counts by that count.
  for (int i = 0; i < 3; ++i) kubelet_->exec(*web, {"/bin/sh", "-c", "true"});
  auto after = wait_for({"get", "secpol", "loop-runtime"}, [&](const json& p) {
    return json_number(p, "/status/runtime/alerts") >= alerts + 3;
  });
  EXPECT_EQ(json_number(after, "/status/runtime/alerts"), alerts + 3) << after.dump();
  auto events = get_json({"get", "events", "-n", "loop-prod", "--field-selector",
                          "reason=RuntimeViolation,involvedObject.name=web-2"});
  ASSERT_EQ(events.value("items", json::array()).size(), 1u) << events.dump();
  EXPECT_EQ(events["items"][0].value("count", 0), 3);
  std::this_thread::sleep_for(seconds(3));
  EXPECT_EQ(json_number(get_json({"get", "secpol", "loop-runtime"}), "/status/runtime/alerts"),
            alerts + 3);
}

// Verifies that editing a policy's runtime rules reaches the sensor without a restart: the
// ruleset's new hash shows in the NodeSensor within seconds, and the policy says it is synced.
TEST_F(RuntimeLoop, EditedRulesReachTheSensor) {
  ensure_sensor();
  std::string before = current_ruleset_hash();
  ASSERT_FALSE(before.empty());
  kubectl_ok({"patch", "secpol", "loop-runtime", "--type=json", "-p",
              R"([{"op": "add", "path": "/spec/runtime/rules/-",
                   "value": {"name": "write-below-etc", "fileWrite": {"pathPrefixes": ["/etc"]}}}])"});
  std::string after;
  auto deadline = std::chrono::steady_clock::now() + seconds(30);
  while (std::chrono::steady_clock::now() < deadline && (after.empty() || after == before)) {
    after = current_ruleset_hash();
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  ASSERT_NE(after, before) << "the manager did not publish the edited rules";
  auto loaded = wait_for(
      {"get", "nodesensor", kNode},
      [&](const json& n) { return json_text(n, "/status/rulesetHash") == after; }, seconds(30));
  EXPECT_EQ(json_text(loaded, "/status/rulesetHash"), after) << loaded.dump();
  EXPECT_TRUE(condition_is(loaded, "RulesetLoaded", "True")) << loaded.dump();
  auto policy = wait_for({"get", "secpol", "loop-runtime"},
                         [](const json& p) { return condition_is(p, "SensorsSynced", "True"); });
  EXPECT_TRUE(condition_is(policy, "SensorsSynced", "True")) << policy.dump();
  EXPECT_EQ(json_text(policy, "/status/runtime/nodesInSync"), "1/1");

  // A ruleset deleted by hand is put back as it was.
  kubectl_ok({"delete", "configmap", "castellan-runtime-ruleset", "-n", kSystem});
  auto restored = wait_for(
      {"get", "configmap", "castellan-runtime-ruleset", "-n", kSystem},
      [&](const json& cm) { return json_text(cm, "/data/hash") == after; }, seconds(30));
  EXPECT_EQ(json_text(restored, "/data/hash"), after) << restored.dump();
}

// Verifies DeletePod's minHealthyReplicas guard: a pod whose ReplicaSet would be left with
// fewer ready pods is kept (recorded, not taken), one whose ReplicaSet has enough is deleted.
TEST_F(RuntimeLoop, DeletePodKeepsTheLastReadyReplica) {
  kubectl({"create", "namespace", "loop-guard"});
  kubectl_ok({"apply", "-f", "-"}, R"(
apiVersion: castellan.io/v1alpha1
kind: SecurityPolicy
metadata: {name: loop-guard}
spec:
  match: {namespaces: [loop-guard]}
  runtime:
    rules:
    - name: uname-run
      exec: {names: [uname]}
    responses:
    - rules: [uname-run]
      actions: [DeletePod]
      deletePod: {minHealthyReplicas: 1}
)");
  ensure_sensor();
  wait_for_sensor_sync();
  const std::string image = "registry.example.com/api@sha256:" + random_hex64();
  std::map<std::string, FakeContainer> containers;
  for (const std::string rs : {"api-lonely", "api-crowded"}) {
    json replicaset = {
        {"apiVersion", "apps/v1"},
        {"kind", "ReplicaSet"},
        {"metadata", {{"name", rs}, {"namespace", "loop-guard"}}},
        {"spec",
         {{"replicas", 3},
          {"selector", {{"matchLabels", {{"app", rs}}}}},
          {"template",
           {{"metadata", {{"labels", {{"app", rs}}}}},
            {"spec",
             {{"containers", json::array({json::parse(restricted_container(image))})}}}}}}}};
    kubectl_ok({"apply", "-f", "-"}, replicaset.dump());
    auto created = get_json({"get", "replicaset", rs, "-n", "loop-guard"});
    // What the ReplicaSet controller would report: one ready pod, or three.
    int ready = rs == "api-lonely" ? 1 : 3;
    kube::PatchOptions status;
    status.subresource = "status";
    json counts = {
        {"status", {{"replicas", 3}, {"readyReplicas", ready}, {"availableReplicas", ready}}}};
    ASSERT_TRUE(api_->patch(kube::kReplicaSets, "loop-guard", rs, kube::PatchType::Merge,
                            counts.dump(), status)
                    .ok());
    auto p = pod("loop-guard", rs + "-1", image);
    p["metadata"]["ownerReferences"] = {{{"apiVersion", "apps/v1"},
                                         {"kind", "ReplicaSet"},
                                         {"name", rs},
                                         {"uid", json_text(created, "/metadata/uid")},
                                         {"controller", true}}};
    kubectl_ok({"apply", "-f", "-"}, p.dump());
    auto c = kubelet_->start("loop-guard", rs + "-1", "app", image, image);
    ASSERT_TRUE(c.ok()) << c.error().message;
    containers.emplace(rs, *c);
  }
  std::this_thread::sleep_for(seconds(2));
  for (const auto& [rs, c] : containers) kubelet_->exec(c, {"/bin/uname"});

  auto done = wait_for({"get", "secpol", "loop-guard"}, [](const json& p) {
    return json_number(p, "/status/responses/taken") + json_number(p, "/status/responses/skipped") >= 2;
  });
  EXPECT_EQ(json_number(done, "/status/responses/taken"), 1) << done.dump();
  EXPECT_EQ(json_number(done, "/status/responses/skipped"), 1);
  auto lonely = get_json({"get", "pod", "api-lonely-1", "-n", "loop-guard"});
  EXPECT_TRUE(json_text(lonely, "/metadata/deletionTimestamp").empty())
      << "the last ready pod was deleted";
  auto crowded = get_json({"get", "pod", "api-crowded-1", "-n", "loop-guard"});
  EXPECT_FALSE(json_text(crowded, "/metadata/deletionTimestamp").empty()) << crowded.dump();
  bool kept_recorded = false;
  for (const auto& a : done["status"].value("recentActions", json::array())) {
    kept_recorded |= a.value("pod", "") == "api-lonely-1" && !a.value("succeeded", true) &&
                     a.value("message", "").find("minHealthyReplicas 1") != std::string::npos;
  }
  EXPECT_TRUE(kept_recorded) << done.dump();
}

// Verifies that a Notify receiver that keeps failing is retried a bounded number of times,
// then the failure is counted in status and recorded with why.
TEST_F(RuntimeLoop, NotifyToAFailingReceiverIsRetriedThenCounted) {
  HttpReceiver receiver({}, ReceiverResponse(503));
  ASSERT_TRUE(receiver.start().ok());
  kubectl({"create", "namespace", "loop-notify"});
  kubectl_ok({"apply", "-f", "-"}, R"(
apiVersion: castellan.io/v1alpha1
kind: SecurityPolicy
metadata: {name: loop-notify}
spec:
  match: {namespaces: [loop-notify]}
  runtime:
    rules:
    - name: env-run
      exec: {names: [env]}
    responses:
    - rules: [env-run]
      actions: [Notify]
      notify: {url: ")" + receiver.url("/down") +
                                       R"("}
)");
  ensure_sensor();
  wait_for_sensor_sync();
  const std::string image = "registry.example.com/tools@sha256:" + random_hex64();
  auto tools = run_pod("loop-notify", "tools", image);
  ASSERT_TRUE(tools.has_value());
  kubelet_->exec(*tools, {"/usr/bin/env"});
  auto failed = wait_for(
      {"get", "secpol", "loop-notify"},
      [](const json& p) { return json_number(p, "/status/responses/notifyFailures") >= 1; },
      seconds(90));
  EXPECT_EQ(json_number(failed, "/status/responses/notifyFailures"), 1) << failed.dump();
  EXPECT_EQ(json_number(failed, "/status/responses/failed"), 1);
  EXPECT_EQ(json_number(failed, "/status/responses/taken"), 0);
  auto actions = failed["status"].value("recentActions", json::array());
  ASSERT_FALSE(actions.empty()) << failed.dump();
  EXPECT_FALSE(actions[0].value("succeeded", true));
  EXPECT_NE(actions[0].value("message", "").find("503"), std::string::npos) << actions[0].dump();
  EXPECT_EQ(receiver.request_count(), 4u) << "bounded: the manager's notifier tries 4 times";
}

// Verifies that the action rate limit holds under a burst of 100 alerts from 100 pods: at most
// maxActionsPerMinute actions are taken per minute, every other one is counted as skipped.
TEST_F(RuntimeLoop, RateLimitHoldsUnderABurstOf100Alerts) {
  constexpr int kPods = 100;
  constexpr int kPerMinute = 5;
  kubectl({"create", "namespace", "loop-burst"});
  kubectl_ok({"apply", "-f", "-"}, R"(
apiVersion: castellan.io/v1alpha1
kind: SecurityPolicy
metadata: {name: loop-burst}
spec:
  match: {namespaces: [loop-burst]}
  runtime:
    maxActionsPerMinute: 5
    rules:
    - name: id-run
      exec: {names: [id]}
    responses:
    - rules: [id-run]
      actions: [IsolatePod]
)");
  ensure_sensor();
  wait_for_sensor_sync();
  json list = {{"apiVersion", "v1"}, {"kind", "List"}, {"items", json::array()}};
  const std::string image = "registry.example.com/burst@sha256:" + random_hex64();
  for (int i = 0; i < kPods; ++i)
    list["items"].push_back(pod("loop-burst", "burst-" + std::to_string(i), image));
  kubectl_ok({"apply", "-f", "-"}, list.dump());
  std::vector<FakeContainer> containers;
  for (int i = 0; i < kPods; ++i) {
    auto c = kubelet_->start("loop-burst", "burst-" + std::to_string(i), "app", image, image);
    ASSERT_TRUE(c.ok()) << c.error().message;
    containers.push_back(*c);
  }
  std::this_thread::sleep_for(seconds(3));  // the sensor rescans on Pod changes and every period
  auto burst_start = std::chrono::steady_clock::now();
  std::vector<pid_t> pids;
  for (const auto& c : containers) pids.push_back(kubelet_->spawn(c, {"/usr/bin/id"}));
  for (pid_t pid : pids) waitpid(pid, nullptr, 0);

  auto done = wait_for(
      {"get", "secpol", "loop-burst"},
      [&](const json& p) {
        return json_number(p, "/status/runtime/alerts") >= kPods &&
               json_number(p, "/status/responses/taken") + json_number(p, "/status/responses/skipped") >=
                   kPods;
      },
      seconds(120));
  auto elapsed = std::chrono::steady_clock::now() - burst_start;
  int64_t windows = 1 + std::chrono::duration_cast<std::chrono::minutes>(elapsed).count();
  int64_t taken = json_number(done, "/status/responses/taken");
  int64_t skipped = json_number(done, "/status/responses/skipped");
  EXPECT_EQ(json_number(done, "/status/runtime/alerts"), kPods) << done.dump();
  EXPECT_EQ(taken + skipped, kPods) << done.dump();
  EXPECT_GE(taken, 1);
  EXPECT_LE(taken, kPerMinute * windows) << "windows of 60 s: " << windows;
  auto labelled =
      get_json({"get", "pods", "-n", "loop-burst", "-l", "castellan.io/quarantine=true"});
  EXPECT_EQ(static_cast<int64_t>(labelled.value("items", json::array()).size()), taken);
  auto skips = get_json({"get", "events", "-A", "--field-selector", "reason=ResponseSkipped"});
  int64_t skip_events = 0;
  for (const auto& e : skips.value("items", json::array())) {
    if (e["involvedObject"].value("name", "") == "loop-burst") skip_events += e.value("count", 1);
  }
  EXPECT_GE(skip_events, 1) << skips.dump();
}

// Verifies that a node whose sensor cannot load the ruleset (no BPF privileges here) is named
// in the policies' SensorsSynced condition with its error, while the healthy node keeps
// running it.
TEST_F(RuntimeLoop, NodeThatCannotLoadTheRulesetIsNamed) {
  ensure_sensor();
  const std::string weak = "loop-node-unprivileged";
  // Readable by the unprivileged user it runs as, outside the control plane's private directory.
  const std::string config = "/tmp/castellan-loop-" + std::to_string(getpid()) + ".kubeconfig";
  auto written = service_account_kubeconfig(cp(), kSensorNamespace, "castellan-sensor", config);
  ASSERT_TRUE(written.ok()) << written.error().message;
  auto sensor = start_sensor(cp(), config, weak, 2,
                             {"/usr/bin/setpriv", "--reuid=65534", "--regid=65534",
                              "--clear-groups", "--inh-caps=-all", "--bounding-set=-all"});
  ASSERT_TRUE(sensor.ok()) << sensor.error().message;
  auto named = wait_for({"get", "secpol", "loop-runtime"}, [&](const json& p) {
    auto c = json_condition(p, "SensorsSynced");
    return c && c->value("status", "") == "False" &&
           c->value("message", "").find(weak + ": could not load ruleset") != std::string::npos;
  });
  auto c = json_condition(named, "SensorsSynced");
  ASSERT_TRUE(c.has_value()) << named.dump();
  EXPECT_NE(c->value("message", "").find(weak + ": could not load ruleset"), std::string::npos)
      << c->dump() << "\n"
      << sensor->log();
  EXPECT_EQ(json_text(named, "/status/runtime/nodesInSync"), "1/2");
  auto healthy = get_json({"get", "nodesensor", kNode});
  EXPECT_EQ(json_text(healthy, "/status/rulesetHash"), current_ruleset_hash());
  sensor->stop();
  unlink(config.c_str());
  kubectl_ok({"delete", "nodesensor", weak});
  auto back = wait_for({"get", "secpol", "loop-runtime"},
                       [](const json& p) { return condition_is(p, "SensorsSynced", "True"); });
  EXPECT_EQ(json_text(back, "/status/runtime/nodesInSync"), "1/1") << back.dump();
}

// Verifies that a sensor stopped mid-run makes its NodeSensor Ready=False and the policies'
// SensorsSynced condition name the node, and that both recover when it runs again.
TEST_F(RuntimeLoop, StoppedSensorIsReportedAndRecovers) {
  ensure_sensor();
  wait_for_sensor_sync();
  sensor_->kill();
  auto silent = wait_for({"get", "nodesensor", kNode},
                         [](const json& n) { return condition_is(n, "Ready", "False"); });
  auto ready = json_condition(silent, "Ready");
  ASSERT_TRUE(ready.has_value()) << silent.dump();
  EXPECT_EQ(ready->value("status", ""), "False") << silent.dump();
  EXPECT_EQ(ready->value("reason", ""), "HeartbeatMissed");
  auto policy = wait_for({"get", "secpol", "loop-runtime"},
                         [](const json& p) { return condition_is(p, "SensorsSynced", "False"); });
  auto synced = json_condition(policy, "SensorsSynced");
  ASSERT_TRUE(synced.has_value()) << policy.dump();
  EXPECT_EQ(synced->value("reason", ""), "SensorsNotReporting");
  EXPECT_NE(
      synced->value("message", "").find(std::string(kNode) + ": the sensor stopped reporting"),
      std::string::npos)
      << synced->dump();
  EXPECT_EQ(json_text(policy, "/status/runtime/nodesInSync"), "0/1");

  ensure_sensor();
  auto recovered = wait_for({"get", "nodesensor", kNode},
                            [](const json& n) { return condition_is(n, "Ready", "True"); });
  EXPECT_TRUE(condition_is(recovered, "Ready", "True")) << recovered.dump();
  auto resynced = wait_for({"get", "secpol", "loop-runtime"},
                           [](const json& p) { return condition_is(p, "SensorsSynced", "True"); });
  EXPECT_TRUE(condition_is(resynced, "SensorsSynced", "True")) << resynced.dump();
}

}  // namespace
}  // namespace castellan::e2e
