// Castellan on a real node, installed as a user installs it: Castellan's own images from the
// local registry, `kubectl apply -k config/overlays/local`, real pods in containerd, the
// sensor's eBPF programs in the running kernel. The tests run in order and share the install;
// the last one uninstalls.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <iostream>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "e2e/node/node_environment.h"

namespace castellan::e2e {
namespace {

using nlohmann::json;
using std::chrono::seconds;
using Clock = std::chrono::steady_clock;

constexpr const char* kSystem = "castellan-system";
constexpr const char* kSensorNamespace = "castellan-sensor";
constexpr const char* kOverlay = "config/overlays/local";
constexpr const char* kWorkload = "127.0.0.1:5000/castellan/workload:local";
// Namespaces of the tests, each gated by its own policy.
constexpr const char* kAdmissionNs = "node-admission";
constexpr const char* kRuntimeNs = "node-runtime";
constexpr const char* kResponsesNs = "node-responses";

const Kubectl& kubectl() { return NodeEnvironment::kubectl(); }
const std::string& node() { return NodeEnvironment::node_name(); }

#define SKIP_WITHOUT_NODE()                                                                      \
  do {                                                                                           \
    if (!NodeEnvironment::skip_reason().empty()) GTEST_SKIP() << NodeEnvironment::skip_reason(); \
  } while (0)

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// Records a measurement in the test's XML output and on stderr.
void record(const std::string& key, double value_s) {
  ::testing::Test::RecordProperty(key, std::to_string(value_s));
  std::cerr << "measured: " << key << " = " << value_s << " s\n";
}

void apply(const std::string& yaml) {
  auto r = kubectl().run({"apply", "-f", "-"}, yaml);
  ASSERT_TRUE(r.ok()) << "kubectl apply failed: " << r.err << "\n" << yaml;
}

// The securityContext restricted asks of a container, indented for a container at `indent`.
std::string restricted_security_context(const std::string& indent) {
  return "\n" + indent + "securityContext:\n" + indent + "  runAsNonRoot: true\n" + indent +
         "  runAsUser: 1000\n" + indent + "  allowPrivilegeEscalation: false\n" + indent +
         "  capabilities: {drop: [ALL]}\n" + indent + "  seccompProfile: {type: RuntimeDefault}";
}

// A Deployment of the workload image running `sleep`, restricted unless `root` is asked for.
std::string deployment(const std::string& ns, const std::string& name, int replicas,
                       const std::string& image = kWorkload, bool restricted = true,
                       const std::string& command = "[sleep, '3600']") {
  return "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: " + name + ", namespace: " + ns +
         "}\nspec:\n  replicas: " + std::to_string(replicas) +
         "\n  selector: {matchLabels: {app: " + name +
         "}}\n  template:\n    metadata: {labels: {app: " + name +
         "}}\n    spec:\n      terminationGracePeriodSeconds: 1\n      containers:\n" +
         "      - name: app\n        image: " + image +
         "\n        imagePullPolicy: IfNotPresent\n" + "        command: " + command +
         "\n        resources: {limits: {cpu: 100m, memory: 64Mi}}" +
         (restricted ? restricted_security_context("        ") : std::string()) + "\n";
}

std::string pod(const std::string& ns, const std::string& name, bool restricted = true,
                const std::string& command = "[sleep, '3600']") {
  return "apiVersion: v1\nkind: Pod\nmetadata: {name: " + name + ", namespace: " + ns +
         ", labels: {app: " + name + "}}\nspec:\n  terminationGracePeriodSeconds: 1\n" +
         "  containers:\n  - name: app\n    image: " + std::string(kWorkload) +
         "\n    imagePullPolicy: IfNotPresent" +
         (command.empty() ? "" : "\n    command: " + command) +
         "\n    resources: {limits: {cpu: 100m, memory: 64Mi}}" +
         (restricted ? restricted_security_context("    ") : std::string()) + "\n";
}

// Creates the namespace, after waiting out an earlier run's deletion of it on a kept node.
void create_namespace(const std::string& ns) {
  kubectl().wait_for(
      {"get", "namespaces"},
      [&](const json& list) {
        for (const auto& n : list["items"]) {
          if (json_text(n, "/metadata/name") == ns)
            return json_text(n, "/status/phase") != "Terminating";
        }
        return true;
      },
      seconds(120));
  apply("apiVersion: v1\nkind: Namespace\nmetadata: {name: " + ns + "}\n");
}

bool pod_running(const json& p) {
  return json_text(p, "/status/phase") == "Running" && condition_is(p, "Ready", "True");
}

json wait_pod_running(const std::string& ns, const std::string& name,
                      seconds timeout = seconds(90)) {
  return kubectl().wait_for({"get", "pod", name, "-n", ns}, pod_running, timeout);
}

// The first Running pod of a Deployment's label app=NAME.
std::string running_pod_of(const std::string& ns, const std::string& app) {
  auto list = kubectl().wait_for(
      {"get", "pods", "-n", ns, "-l", "app=" + app},
      [](const json& l) {
        for (const auto& p : l["items"]) {
          if (pod_running(p) && !p["metadata"].contains("deletionTimestamp")) return true;
        }
        return false;
      },
      seconds(90));
  for (const auto& p : list.value("items", json::array())) {
    if (pod_running(p) && !p["metadata"].contains("deletionTimestamp")) {
      return p["metadata"]["name"];
    }
  }
  return {};
}

bool rolled_out(const std::string& ns, const std::string& name, seconds timeout = seconds(120)) {
  return kubectl()
      .run({"rollout", "status", "deployment/" + name, "-n", ns,
            "--timeout=" + std::to_string(timeout.count()) + "s"},
           {}, timeout + seconds(10))
      .ok();
}

json policy(const std::string& name) { return kubectl().get_json({"get", "securitypolicy", name}); }

// Ready at the current generation, as kstatus and Flux read it.
bool policy_ready(const json& p) {
  auto ready = json_condition(p, "Ready");
  return ready && ready->value("status", "") == "True" &&
         ready->value("observedGeneration", int64_t{-1}) == json_number(p, "/metadata/generation");
}

void wait_policy_ready(const std::string& name) {
  auto p = kubectl().wait_for({"get", "securitypolicy", name}, policy_ready, seconds(60));
  ASSERT_TRUE(policy_ready(p)) << "SecurityPolicy " << name << " not Ready: " << p.dump(2);
}

// The sensor on the node loaded the ruleset the manager publishes now.
void wait_sensor_in_sync(seconds timeout = seconds(90)) {
  auto ruleset = kubectl().wait_for(
      {"get", "configmap", "castellan-runtime-ruleset", "-n", kSystem},
      [](const json& c) { return !json_text(c, "/data/hash").empty(); }, timeout);
  auto hash = json_text(ruleset, "/data/hash");
  ASSERT_FALSE(hash.empty()) << "no runtime ruleset published: " << ruleset.dump();
  auto sensor = kubectl().wait_for(
      {"get", "nodesensor", node()},
      [&](const json& s) {
        return json_text(s, "/status/rulesetHash") == hash && condition_is(s, "Ready", "True");
      },
      timeout);
  ASSERT_EQ(json_text(sensor, "/status/rulesetHash"), hash) << sensor.dump(2);
  ASSERT_TRUE(condition_is(sensor, "Ready", "True")) << sensor.dump(2);
}

// Runs a command in a pod's container; the exit code is the remote command's.
CommandResult exec(const std::string& ns, const std::string& pod_name,
                   const std::vector<std::string>& command) {
  std::vector<std::string> args = {"exec", "-n", ns, pod_name, "--"};
  args.insert(args.end(), command.begin(), command.end());
  return kubectl().run(args, {}, seconds(60));
}

// Runs a shell in the pod until one is killed (exit 137), for at most a minute: a new pod's
// containers are in scope once the sensor has seen the Pod's status name them.
CommandResult shell_until_killed(const std::string& ns, const std::string& pod_name) {
  CommandResult shell;
  auto deadline = Clock::now() + seconds(60);
  do {
    shell = exec(ns, pod_name, {"sh", "-c", "echo the shell ran"});
  } while (shell.exit_code != 137 && Clock::now() < deadline);
  return shell;
}

// RuntimeViolation Events on a pod for a rule.
json violations(const std::string& ns, const std::string& pod_name, const std::string& rule) {
  auto events = kubectl().get_json({"get", "events", "-n", ns, "--field-selector",
                                    "reason=RuntimeViolation,involvedObject.name=" + pod_name});
  json matching = json::array();
  for (const auto& e : events.value("items", json::array())) {
    if (e.value(json::json_pointer("/metadata/annotations/castellan.io~1rule"), std::string()) ==
        rule) {
      matching.push_back(e);
    }
  }
  return matching;
}

json wait_violation(const std::string& ns, const std::string& pod_name, const std::string& rule) {
  auto deadline = Clock::now() + seconds(60);
  json found;
  while (Clock::now() < deadline) {
    found = violations(ns, pod_name, rule);
    if (!found.empty()) return found;
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
  }
  return found;
}

std::string pod_ip(const std::string& ns, const std::string& name) {
  return json_text(kubectl().get_json({"get", "pod", name, "-n", ns}), "/status/podIP");
}

void remove_taint() { kubectl().run({"taint", "node", node(), "castellan.io/compromised-"}); }

// ---------------------------------------------------------------------------------------------

// Verifies that `kubectl apply -k` of the local overlay brings up the manager (2 replicas,
// Available), the sensor DaemonSet (Ready on the node) and the node's NodeSensor (Ready).
TEST(NodeInstall, ApplyKustomizeBringsEverythingUp) {
  SKIP_WITHOUT_NODE();
  auto start = Clock::now();
  auto applied = kubectl().run({"apply", "-k", NodeEnvironment::source_dir() + "/" + kOverlay});
  ASSERT_TRUE(applied.ok()) << applied.err;
  ASSERT_TRUE(rolled_out(kSystem, "castellan-manager", seconds(180)))
      << kubectl().run({"describe", "pods", "-n", kSystem}).out;
  auto deployment_status =
      kubectl().get_json({"get", "deployment", "castellan-manager", "-n", kSystem});
  EXPECT_EQ(json_number(deployment_status, "/status/availableReplicas"), 2);
  auto sensors = kubectl().wait_for(
      {"get", "daemonset", "castellan-sensor", "-n", kSensorNamespace},
      [](const json& d) {
        return json_number(d, "/status/numberReady") == 1 &&
               json_number(d, "/status/desiredNumberScheduled") == 1;
      },
      seconds(120));
  ASSERT_EQ(json_number(sensors, "/status/numberReady"), 1)
      << kubectl().run({"describe", "pods", "-n", kSensorNamespace}).out;
  auto sensor = kubectl().wait_for(
      {"get", "nodesensor", node()}, [](const json& s) { return condition_is(s, "Ready", "True"); },
      seconds(90));
  ASSERT_TRUE(condition_is(sensor, "Ready", "True")) << sensor.dump(2);
  record("install_to_all_ready_s", seconds_since(start));

  // The sensor runs from the image the overlay names, pulled from the registry.
  auto pods = kubectl().get_json({"get", "pods", "-n", kSensorNamespace});
  ASSERT_EQ(pods["items"].size(), 1u);
  EXPECT_NE(json_text(pods["items"][0], "/status/containerStatuses/0/imageID")
                .find("127.0.0.1:5000/castellan/castellan-sensor@sha256:"),
            std::string::npos)
      << pods["items"][0]["status"].dump(2);
}

// Verifies that a privileged pod is denied at kubectl apply, naming the policy and the fix, and
// that a compliant Deployment rolls out with its pods running in containerd.
TEST(NodeAdmission, PrivilegedPodDeniedCompliantDeploymentRuns) {
  SKIP_WITHOUT_NODE();
  create_namespace(kAdmissionNs);
  apply(R"(apiVersion: castellan.io/v1alpha1
kind: SecurityPolicy
metadata: {name: node-admission}
spec:
  mode: Enforce
  failurePolicy: Fail
  match: {namespaces: [node-admission]}
  podSecurity: {level: restricted}
  containers: {requireResourceLimits: true}
)");
  wait_policy_ready("node-admission");
  auto webhook = kubectl().wait_for(
      {"get", "validatingwebhookconfiguration", "castellan"},
      [](const json& w) { return !w.value("webhooks", json::array()).empty(); }, seconds(60));
  ASSERT_FALSE(webhook.value("webhooks", json::array()).empty()) << webhook.dump(2);

  auto privileged = R"(apiVersion: v1
kind: Pod
metadata: {name: privileged, namespace: node-admission}
spec:
  containers:
  - name: app
    image: )" + std::string(kWorkload) +
                    R"(
    command: [sleep, '3600']
    securityContext: {privileged: true}
)";
  auto denied = kubectl().run({"apply", "-f", "-"}, privileged);
  EXPECT_FALSE(denied.ok()) << "a privileged pod was admitted";
  EXPECT_NE(denied.err.find("node-admission"), std::string::npos) << denied.err;
  EXPECT_NE(denied.err.find("privileged"), std::string::npos) << denied.err;
  EXPECT_TRUE(kubectl().get_json({"get", "pod", "privileged", "-n", kAdmissionNs}).is_null());

  // The Deployment itself is gated, so a bad one fails at apply rather than in a ReplicaSet.
  auto bad = deployment(kAdmissionNs, "bad", 1, kWorkload, /*restricted=*/false);
  EXPECT_FALSE(kubectl().run({"apply", "-f", "-"}, bad).ok()) << "a root Deployment was admitted";

  apply(deployment(kAdmissionNs, "web", 2));
  ASSERT_TRUE(rolled_out(kAdmissionNs, "web"))
      << kubectl().run({"describe", "pods", "-n", kAdmissionNs}).out;
  auto pods = kubectl().get_json({"get", "pods", "-n", kAdmissionNs, "-l", "app=web"});
  ASSERT_EQ(pods["items"].size(), 2u);
  for (const auto& p : pods["items"]) EXPECT_TRUE(pod_running(p)) << p["status"].dump(2);
  auto counted = kubectl().wait_for(
      {"get", "securitypolicy", "node-admission"},
      [](const json& p) {
        return json_number(p, "/status/admission/denied") >= 2 &&
               json_number(p, "/status/admission/allowed") >= 1;
      },
      seconds(60));
  EXPECT_GE(json_number(counted, "/status/admission/denied"), 2) << counted["status"].dump(2);
}

// The runtime policy of the next tests: a shell is killed, a write below /etc and a connect
// outside loopback alert. Audit mode: admission only reports.
void apply_runtime_policy() {
  create_namespace(kRuntimeNs);
  apply(R"(apiVersion: castellan.io/v1alpha1
kind: SecurityPolicy
metadata: {name: node-runtime}
spec:
  mode: Audit
  match: {namespaces: [node-runtime]}
  runtime:
    rules:
    - name: shell-in-container
      exec: {names: [sh, bash, dash, ash]}
      action: Kill
    - name: write-below-etc
      fileWrite: {pathPrefixes: [/etc]}
    - name: unexpected-egress
      connect: {exceptCIDRs: [127.0.0.0/8], exceptPorts: [53]}
)");
  wait_policy_ready("node-runtime");
}

// Verifies that `kubectl exec` of a shell into a running container under a Kill rule is
// killed before it runs (exit 137), shows as a RuntimeViolation Event on the pod in
// `kubectl describe pod`, and is counted by the SecurityPolicy.
TEST(NodeRuntime, ShellKilledBeforeItRuns) {
  SKIP_WITHOUT_NODE();
  apply_runtime_policy();
  wait_sensor_in_sync();
  auto created = Clock::now();
  apply(pod(kRuntimeNs, "client", /*restricted=*/false));
  ASSERT_TRUE(pod_running(wait_pod_running(kRuntimeNs, "client")));
  auto running = Clock::now();

  // The sensor scopes a container once it sees the Pod's status name it; until then a shell
  // runs. Measured here: pod creation (and Running) to the first shell killed.
  auto shell = shell_until_killed(kRuntimeNs, "client");
  ASSERT_EQ(shell.exit_code, 137) << shell.out << shell.err;
  record("pod_created_to_enforced_s", seconds_since(created));
  record("pod_running_to_enforced_s", seconds_since(running));

  // From then on every shell dies before it runs, and other programs run.
  auto allowed = exec(kRuntimeNs, "client", {"true"});
  EXPECT_EQ(allowed.exit_code, 0) << allowed.err;
  shell = exec(kRuntimeNs, "client", {"sh", "-c", "echo the shell ran"});
  EXPECT_EQ(shell.exit_code, 137) << shell.out << shell.err;
  EXPECT_EQ(shell.out.find("the shell ran"), std::string::npos);

  auto events = wait_violation(kRuntimeNs, "client", "shell-in-container");
  ASSERT_FALSE(events.empty());
  auto described = kubectl().run({"describe", "pod", "client", "-n", kRuntimeNs});
  EXPECT_NE(described.out.find("RuntimeViolation"), std::string::npos) << described.out;
  auto counted = kubectl().wait_for(
      {"get", "securitypolicy", "node-runtime"},
      [](const json& p) { return json_number(p, "/status/runtime/killed") >= 1; }, seconds(60));
  EXPECT_GE(json_number(counted, "/status/runtime/killed"), 1) << counted["status"].dump(2);
}

// Verifies that inside a real container a write below /etc alerts, and that a connect to
// another pod's address, outside the allowed CIDRs and ports, alerts.
TEST(NodeRuntime, FileWriteAndEgressAlert) {
  SKIP_WITHOUT_NODE();
  // The workload image's own command serves HTTP on port 8080.
  apply(pod(kRuntimeNs, "server", /*restricted=*/false, /*command=*/""));
  ASSERT_TRUE(pod_running(wait_pod_running(kRuntimeNs, "server")));
  ASSERT_TRUE(pod_running(wait_pod_running(kRuntimeNs, "client")));
  wait_sensor_in_sync();

  auto write = exec(kRuntimeNs, "client", {"touch", "/etc/castellan-was-here"});
  EXPECT_EQ(write.exit_code, 0) << write.err;
  auto written = wait_violation(kRuntimeNs, "client", "write-below-etc");
  ASSERT_FALSE(written.empty());
  EXPECT_NE(written[0].value("message", "").find("/etc/castellan-was-here"), std::string::npos)
      << written[0].dump(2);

  auto ip = pod_ip(kRuntimeNs, "server");
  ASSERT_FALSE(ip.empty());
  auto connect = exec(kRuntimeNs, "client",
                      {"curl", "-s", "-o", "/dev/null", "-m", "5", "http://" + ip + ":8080/"});
  EXPECT_EQ(connect.exit_code, 0) << "the connect is only alerted, not refused: " << connect.err;
  auto egress = wait_violation(kRuntimeNs, "client", "unexpected-egress");
  ASSERT_FALSE(egress.empty());
  EXPECT_NE(egress[0].value("message", "").find(ip), std::string::npos) << egress[0].dump(2);
  // A connect to loopback is allowed by the rule and raises nothing new.
  EXPECT_TRUE(violations(kRuntimeNs, "server", "unexpected-egress").empty());
}

// Verifies the responses on real objects: DeletePod's guard reads the real ReplicaSet's
// readyReplicas, TaintNode taints the real node so that a new pod without a toleration stays
// Pending, and QuarantineImage takes the running image's real digest from the pod's imageID so
// that a new Deployment naming it is denied.
TEST(NodeResponses, GuardTaintAndQuarantineOnRealObjects) {
  SKIP_WITHOUT_NODE();
  create_namespace(kResponsesNs);
  apply(R"(apiVersion: castellan.io/v1alpha1
kind: SecurityPolicy
metadata: {name: node-responses}
spec:
  mode: Audit
  match: {namespaces: [node-responses]}
  runtime:
    rules:
    - name: shell-in-container
      exec: {names: [sh, bash, dash, ash]}
      action: Kill
    responses:
    - rules: [shell-in-container]
      actions: [QuarantineImage, TaintNode, DeletePod]
      deletePod: {minHealthyReplicas: 1}
)");
  wait_policy_ready("node-responses");
  apply(deployment(kResponsesNs, "victim", 1));
  ASSERT_TRUE(rolled_out(kResponsesNs, "victim"));
  wait_sensor_in_sync();
  auto victim = running_pod_of(kResponsesNs, "victim");
  ASSERT_FALSE(victim.empty());
  auto image_id = json_text(kubectl().get_json({"get", "pod", victim, "-n", kResponsesNs}),
                            "/status/containerStatuses/0/imageID");
  auto at = image_id.find("@sha256:");
  ASSERT_NE(at, std::string::npos) << "the pod's imageID names no registry digest: " << image_id;
  auto digest = image_id.substr(at + 1);
  auto by_digest = image_id;
  if (by_digest.rfind("docker-pullable://", 0) == 0) by_digest = by_digest.substr(18);

  ASSERT_EQ(shell_until_killed(kResponsesNs, victim).exit_code, 137);

  // The guard: the ReplicaSet has one ready pod, so deleting it would leave none.
  auto responded = kubectl().wait_for(
      {"get", "securitypolicy", "node-responses"},
      [](const json& p) {
        std::set<std::string> actions;
        for (const auto& a : p["status"].value("recentActions", json::array()))
          actions.insert(a.value("action", ""));
        return actions.count("DeletePod") && actions.count("TaintNode") &&
               actions.count("QuarantineImage");
      },
      seconds(60));
  bool guard_recorded = false;
  for (const auto& a : responded["status"].value("recentActions", json::array())) {
    if (a.value("action", "") == "DeletePod") {
      guard_recorded = a.value("message", "").find("minHealthyReplicas") != std::string::npos;
    }
  }
  EXPECT_TRUE(guard_recorded) << responded["status"].dump(2);
  EXPECT_TRUE(pod_running(kubectl().get_json({"get", "pod", victim, "-n", kResponsesNs})))
      << "the guarded pod was deleted";

  // The quarantine holds the real digest, and a new Deployment naming it is denied.
  bool quarantined = false;
  for (const auto& q : responded["status"].value("quarantinedDigests", json::array())) {
    quarantined |= q.value("digest", "") == digest;
  }
  EXPECT_TRUE(quarantined) << "expected " << digest << " in " << responded["status"].dump(2);
  auto denied =
      kubectl().run({"apply", "-f", "-"}, deployment(kResponsesNs, "again", 1, by_digest));
  EXPECT_FALSE(denied.ok()) << "a Deployment of the quarantined digest was admitted";
  EXPECT_NE(denied.err.find(digest), std::string::npos) << denied.err;

  // The taint: a new pod without a toleration stays Pending, unschedulable.
  auto node_object = kubectl().get_json({"get", "node", node()});
  EXPECT_NE(
      node_object["spec"].value("taints", json::array()).dump().find("castellan.io/compromised"),
      std::string::npos)
      << node_object["spec"].dump(2);
  create_namespace("node-taint-probe");
  apply(pod("node-taint-probe", "probe"));
  auto probe = kubectl().wait_for(
      {"get", "pod", "probe", "-n", "node-taint-probe"},
      [](const json& p) {
        auto scheduled = json_condition(p, "PodScheduled");
        return scheduled && scheduled->value("reason", "") == "Unschedulable";
      },
      seconds(60));
  EXPECT_EQ(json_text(probe, "/status/phase"), "Pending") << probe["status"].dump(2);

  // Untainted and released, two ready replicas: now the guard lets DeletePod through.
  remove_taint();
  kubectl().run({"annotate", "securitypolicy", "node-responses", "--overwrite",
                 "castellan.io/release-digests=all"});
  ASSERT_TRUE(pod_running(wait_pod_running("node-taint-probe", "probe")))
      << "the probe pod did not run once the taint was removed";
  kubectl().run({"scale", "deployment", "victim", "-n", kResponsesNs, "--replicas=2"});
  ASSERT_TRUE(rolled_out(kResponsesNs, "victim"));
  auto second = running_pod_of(kResponsesNs, "victim");
  auto uid =
      json_text(kubectl().get_json({"get", "pod", second, "-n", kResponsesNs}), "/metadata/uid");
  ASSERT_EQ(shell_until_killed(kResponsesNs, second).exit_code, 137);
  auto gone = kubectl().wait_for(
      {"get", "pods", "-n", kResponsesNs, "-l", "app=victim"},
      [&](const json& l) {
        for (const auto& p : l["items"]) {
          if (json_text(p, "/metadata/uid") == uid && !p["metadata"].contains("deletionTimestamp"))
            return false;
        }
        return true;
      },
      seconds(60));
  EXPECT_NE(gone.dump().find("items"), std::string::npos);
  remove_taint();
  kubectl().run({"annotate", "securitypolicy", "node-responses", "--overwrite",
                 "castellan.io/release-digests=all"});
  kubectl().run({"delete", "namespace", "node-taint-probe", "--wait=false"});
}

// Verifies that a deleted sensor pod comes back through the DaemonSet, reloads the ruleset,
// and from Ready on misses no Kill.
TEST(NodeSensorRestart, NoKillMissedAfterReady) {
  SKIP_WITHOUT_NODE();
  auto before = kubectl().get_json({"get", "pods", "-n", kSensorNamespace});
  ASSERT_EQ(before["items"].size(), 1u);
  auto old_uid = json_text(before["items"][0], "/metadata/uid");
  auto start = Clock::now();
  ASSERT_TRUE(
      kubectl().run({"delete", "pods", "--all", "-n", kSensorNamespace, "--wait=true"}).ok());
  auto after = kubectl().wait_for(
      {"get", "pods", "-n", kSensorNamespace},
      [&](const json& l) {
        return l["items"].size() == 1 && json_text(l["items"][0], "/metadata/uid") != old_uid &&
               pod_running(l["items"][0]);
      },
      seconds(120));
  ASSERT_EQ(after["items"].size(), 1u);
  ASSERT_TRUE(pod_running(after["items"][0])) << after.dump(2);
  record("sensor_pod_deleted_to_ready_s", seconds_since(start));
  wait_sensor_in_sync();

  ASSERT_TRUE(pod_running(wait_pod_running(kRuntimeNs, "client")));
  for (int i = 0; i < 5; ++i) {
    auto shell = exec(kRuntimeNs, "client", {"sh", "-c", "echo the shell ran"});
    EXPECT_EQ(shell.exit_code, 137) << "attempt " << i << ": " << shell.out << shell.err;
  }
}

// Verifies that `kubectl rollout restart` of the manager under continuous pod creation
// fails no admission: the webhook always answers (failurePolicy Fail would turn any gap into
// a refused pod).
TEST(NodeManagerRestart, NoFailedAdmissionDuringRollout) {
  SKIP_WITHOUT_NODE();
  wait_policy_ready("node-admission");
  std::atomic<bool> stop{false};
  std::atomic<int> attempts{0};
  std::atomic<int> failures{0};
  std::string first_failure;
  std::thread creator([&] {
    int i = 0;
    while (!stop) {
      // Server-side dry run: the request runs every admission webhook, and no pod piles up.
      auto r = kubectl().run({"create", "--dry-run=server", "-f", "-"},
                             pod(kAdmissionNs, "churn-" + std::to_string(i++)));
      ++attempts;
      if (!r.ok()) {
        if (failures++ == 0) first_failure = r.err;
      }
    }
  });
  std::this_thread::sleep_for(seconds(2));
  auto restarted =
      kubectl().run({"rollout", "restart", "deployment/castellan-manager", "-n", kSystem});
  EXPECT_TRUE(restarted.ok()) << restarted.err;
  EXPECT_TRUE(rolled_out(kSystem, "castellan-manager", seconds(180)));
  std::this_thread::sleep_for(seconds(5));
  stop = true;
  creator.join();
  std::cerr << "measured: admissions during the rollout: " << attempts << ", failed " << failures
            << "\n";
  EXPECT_GT(attempts.load(), 10);
  EXPECT_EQ(failures.load(), 0) << "first failure: " << first_failure;
  // The webhook still judges after the rollout.
  auto privileged = kubectl().run({"create", "--dry-run=server", "-f", "-"},
                                  pod(kAdmissionNs, "root", /*restricted=*/false));
  EXPECT_FALSE(privileged.ok());
}

// Verifies that with every manager replica down, a Fail policy fails closed where it applies
// while kube-system and Castellan's own namespaces stay open, so that the manager can always
// come back: its pods are never gated by its own webhook.
TEST(NodeManagerDown, ProtectedNamespacesStayOpen) {
  SKIP_WITHOUT_NODE();
  wait_policy_ready("node-admission");
  auto scaled =
      kubectl().run({"scale", "deployment/castellan-manager", "-n", kSystem, "--replicas=0"});
  ASSERT_TRUE(scaled.ok()) << scaled.err;
  // Gone, not only terminating: a terminating replica still answers for --shutdown-delay.
  auto scaled_at = Clock::now();
  auto none = kubectl().wait_for(
      {"get", "pods", "-n", kSystem, "-l", "app.kubernetes.io/name=castellan-manager"},
      [](const json& l) { return l.value("items", json::array()).empty(); }, seconds(240));
  ASSERT_TRUE(none.value("items", json::array()).empty()) << none.dump(2);
  record("manager_scaled_to_zero_to_gone_s", seconds_since(scaled_at));

  auto gated =
      kubectl().run({"create", "--dry-run=server", "-f", "-"}, pod(kAdmissionNs, "while-down"));
  EXPECT_FALSE(gated.ok()) << "failurePolicy Fail admitted a pod with no webhook answering";
  EXPECT_NE(gated.err.find("failed calling webhook"), std::string::npos) << gated.err;
  for (const char* ns : {"kube-system", kSystem, kSensorNamespace}) {
    auto open = kubectl().run({"create", "--dry-run=server", "-f", "-"}, pod(ns, "while-down"));
    EXPECT_TRUE(open.ok()) << "namespace " << ns << " is gated: " << open.err;
  }

  ASSERT_TRUE(
      kubectl().run({"scale", "deployment/castellan-manager", "-n", kSystem, "--replicas=2"}).ok());
  ASSERT_TRUE(rolled_out(kSystem, "castellan-manager", seconds(180)));
  // Admission comes back once the Service's endpoints reach kube-proxy.
  CommandResult back;
  auto deadline = Clock::now() + seconds(30);
  do {
    back = kubectl().run({"create", "--dry-run=server", "-f", "-"}, pod(kAdmissionNs, "after"));
  } while (!back.ok() && Clock::now() < deadline);
  EXPECT_TRUE(back.ok()) << back.err;
}

// Verifies that `kubectl delete -k` uninstalls and leaves a cluster where pods can be created
// in every namespace: no webhook configuration is left failing closed.
TEST(NodeUninstall, LeavesNothingFailingClosed) {
  SKIP_WITHOUT_NODE();
  auto start = Clock::now();
  auto deleted = kubectl().run({"delete", "-k", NodeEnvironment::source_dir() + "/" + kOverlay,
                                "--ignore-not-found", "--timeout=300s"},
                               {}, seconds(360));
  EXPECT_TRUE(deleted.ok()) << deleted.err;
  for (const char* kind : {"validatingwebhookconfigurations", "mutatingwebhookconfigurations"}) {
    auto left = kubectl().wait_for(
        {"get", kind},
        [](const json& l) {
          for (const auto& w : l["items"]) {
            if (json_text(w, "/metadata/name").rfind("castellan", 0) == 0) return false;
          }
          return true;
        },
        seconds(180));
    EXPECT_EQ(left.dump().find("\"castellan"), std::string::npos)
        << kind << " left: " << left.dump(2);
  }
  record("uninstall_s", seconds_since(start));
  auto namespaces = kubectl().get_json({"get", "namespaces"});
  for (const auto& ns : namespaces.value("items", json::array())) {
    std::string name = ns["metadata"]["name"];
    if (ns["status"].value("phase", "") == "Terminating") continue;
    auto created = kubectl().run({"create", "--dry-run=server", "-f", "-"},
                                 pod(name, "after-uninstall", /*restricted=*/false));
    EXPECT_TRUE(created.ok()) << "namespace " << name << ": " << created.err;
  }
  apply(pod("default", "after-uninstall", /*restricted=*/false));
  EXPECT_TRUE(pod_running(wait_pod_running("default", "after-uninstall")));
  kubectl().run({"delete", "pod", "after-uninstall", "-n", "default", "--wait=false"});
}

}  // namespace
}  // namespace castellan::e2e
