// Runs castellan-sensor in node mode against a real API server, as a DaemonSet pod would:
// a Pod on its node with a started container (status written as a kubelet would), a cgroup
// named as the kubelet names it, the runtime ruleset ConfigMap, and a shell run in the
// container's cgroup, which must become a RuntimeViolation Event on that Pod. The NodeSensor
// must say which ruleset runs and which one could not be loaded.
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <random>
#include <thread>

#include "api/node_sensor.h"
#include "api/runtime_ruleset.h"
#include "api/runtime_violation.h"
#include "api/security_policy_codec.h"
#include "bpf_test_support.h"
#include "e2e/control_plane_environment.h"

extern char** environ;

namespace castellan::sensor {
namespace {

using e2e::ControlPlaneEnvironment;

constexpr const char* kNode = "node-e2e";
constexpr const char* kNamespace = "castellan-system";  // the ruleset ConfigMap's
constexpr const char* kSensorNamespace = "castellan-sensor";  // the ServiceAccount's
constexpr const char* kAppNamespace = "app-e2e";
constexpr const char* kPod = "web";
constexpr const char* kContainer = "web";

std::string random_container_id() {
  std::mt19937_64 random(std::random_device{}());
  static const char* hex = "0123456789abcdef";
  std::string id;
  for (int i = 0; i < 64; ++i) id += hex[random() % 16];
  return id;
}

struct Child {
  pid_t pid = -1;
  int out = -1;
  int err = -1;
};

Child spawn(const std::vector<std::string>& args) {
  int out[2], err[2];
  if (pipe(out) != 0 || pipe(err) != 0) return {};
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out[1], 1);
  posix_spawn_file_actions_adddup2(&actions, err[1], 2);
  posix_spawn_file_actions_addclose(&actions, out[0]);
  posix_spawn_file_actions_addclose(&actions, err[0]);
  std::vector<std::string> copy = args;
  std::vector<char*> argv;
  for (auto& a : copy) argv.push_back(a.data());
  argv.push_back(nullptr);
  Child child;
  posix_spawn(&child.pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  close(out[1]);
  close(err[1]);
  child.out = out[0];
  child.err = err[0];
  return child;
}

// Reads fd until `needle` has been seen or the fd closes (or 60 s pass); returns the text.
std::string read_until(int fd, const std::string& needle, bool* found) {
  std::string text;
  *found = false;
  for (int i = 0; i < 600 && !*found; ++i) {
    pollfd pfd{fd, POLLIN, 0};
    if (poll(&pfd, 1, 100) <= 0) continue;
    char buf[4096];
    ssize_t n = read(fd, buf, sizeof(buf));
    if (n <= 0) break;
    text.append(buf, static_cast<size_t>(n));
    *found = text.find(needle) != std::string::npos;
  }
  return text;
}

// Runs kubectl until `done` accepts its JSON output (or 60 s pass); returns the last output.
nlohmann::json poll_kubectl(const std::vector<std::string>& args,
                            const std::function<bool(const nlohmann::json&)>& done) {
  nlohmann::json last;
  for (int i = 0; i < 120; ++i) {
    auto result = ControlPlaneEnvironment::control_plane().kubectl(args);
    if (result.ok() && result->ok()) {
      last = nlohmann::json::parse(result->out, nullptr, false);
      if (!last.is_discarded() && done(last)) return last;
    }
    usleep(500 * 1000);
  }
  return last;
}

void kubectl_ok(const std::vector<std::string>& args, const std::string& input = {}) {
  auto result = ControlPlaneEnvironment::control_plane().kubectl(args, input);
  ASSERT_TRUE(result.ok()) << result.error().message;
  ASSERT_TRUE(result->ok()) << result->err;
}

// The cgroupfs driver's layout below a test root: kubepods/besteffort/pod<uid>/<id>.
struct KubeletCgroup {
  std::vector<std::string> dirs;
  ~KubeletCgroup() {
    for (auto it = dirs.rbegin(); it != dirs.rend(); ++it) rmdir(it->c_str());
  }
  std::string make(const std::string& root, const std::string& pod_uid, const std::string& id) {
    std::string path = root;
    for (const auto& part : {std::string("castellan-e2e-") + std::to_string(getpid()),
                             std::string("kubepods"), std::string("besteffort"), "pod" + pod_uid, id}) {
      path += "/" + part;
      if (mkdir(path.c_str(), 0755) != 0) return {};
      dirs.push_back(path);
    }
    return path;
  }
};

// A kubeconfig for castellan-sensor's ServiceAccount, with config/sensor applied, so
// the sensor runs with exactly the permissions it is deployed with.
std::string service_account_kubeconfig() {
  auto& cp = ControlPlaneEnvironment::control_plane();
  // The whole kustomization, so the API server also validates the DaemonSet.
  auto applied = cp.kubectl({"apply", "-k", e2e::ControlPlaneOptions::source_dir() + "/config/sensor"});
  if (!applied.ok() || !applied->ok()) {
    ADD_FAILURE() << "kubectl apply -k config/sensor: " << (applied.ok() ? applied->err : applied.error().message);
    return {};
  }
  auto token = cp.kubectl({"create", "token", "castellan-sensor", "-n", kSensorNamespace});
  if (!token.ok() || !token->ok()) return {};
  std::string value = token->out;
  while (!value.empty() && (value.back() == '\n' || value.back() == '\r')) value.pop_back();
  nlohmann::json config = {
      {"apiVersion", "v1"}, {"kind", "Config"}, {"current-context", "sensor"},
      {"clusters", {{{"name", "local"}, {"cluster", {{"server", cp.server_url()}, {"certificate-authority", cp.ca_file()}}}}}},
      {"users", {{{"name", "sensor"}, {"user", {{"token", value}}}}}},
      {"contexts", {{{"name", "sensor"}, {"context", {{"cluster", "local"}, {"user", "sensor"}}}}}}};
  std::string path = cp.directory() + "/sensor-kubeconfig";
  FILE* f = fopen(path.c_str(), "w");
  if (!f) return {};
  std::string text = config.dump();
  fwrite(text.data(), 1, text.size(), f);
  fclose(f);
  return path;
}

void apply(const nlohmann::json& object) { kubectl_ok({"apply", "-f", "-"}, object.dump()); }

void ensure_namespace(const std::string& name) {
  apply({{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", name}}}});
}

api::SecurityPolicy policy_from(const std::string& json) {
  auto policy = api::parse_security_policy(nlohmann::json::parse(json));
  EXPECT_TRUE(policy.ok()) << policy.error().message;
  return policy.ok() ? *policy : api::SecurityPolicy{};
}

// One exec rule named `rule` for shells in the app-* namespaces.
api::SecurityPolicy no_shells(const std::string& rule) {
  return policy_from(R"({"apiVersion":"castellan.io/v1alpha1","kind":"SecurityPolicy",
    "metadata":{"name":"no-shells"},
    "spec":{"match":{"namespaces":["app-*"]},
            "runtime":{"rules":[{"name":")" +
                     rule + R"(","exec":{"names":["sh"]}}]}}})");
}

// A Pod on `node` whose container `kContainer` runs (status as a kubelet writes it), and the
// container's cgroup named as the kubelet's cgroupfs driver names it.
struct RunningPod {
  std::string uid;
  std::string container_id;
  std::string cgroup;
  KubeletCgroup cgroups;
};

void start_pod(const std::string& name, const std::string& node, RunningPod& out) {
  auto mount = find_cgroup2_mount();
  ASSERT_TRUE(mount.ok()) << mount.error().message;
  ensure_namespace(kNamespace);
  ensure_namespace(kAppNamespace);
  apply(
      {{"apiVersion", "v1"},
       {"kind", "Pod"},
       {"metadata", {{"name", name}, {"namespace", kAppNamespace}, {"labels", {{"app", name}}}}},
       {"spec",
        {{"nodeName", node}, {"containers", {{{"name", kContainer}, {"image", "nginx:1.25"}}}}}}});
  auto got = ControlPlaneEnvironment::control_plane().kubectl(
      {"get", "pod", name, "-n", kAppNamespace, "-o", "jsonpath={.metadata.uid}"});
  ASSERT_TRUE(got.ok() && got->ok());
  out.uid = got->out;
  out.container_id = random_container_id();
  const std::string& id = out.container_id;
  nlohmann::json status = {
      {"status",
       {{"phase", "Running"},
        {"containerStatuses",
         {{{"name", kContainer},
           {"ready", true},
           {"restartCount", 0},
           {"image", "nginx:1.25"},
           {"imageID", "docker.io/library/nginx@sha256:" + id},
           {"containerID", "containerd://" + id},
           {"state", {{"running", {{"startedAt", "2026-01-01T00:00:00Z"}}}}}}}}}}};
  kubectl_ok({"patch", "pod", name, "-n", kAppNamespace, "--subresource=status", "--type=merge",
              "-p", status.dump()});
  out.cgroup = out.cgroups.make(*mount, out.uid, id);
  ASSERT_FALSE(out.cgroup.empty()) << "could not create the container's cgroup under " << *mount;
}

// castellan-sensor in node mode for `node`, with the ServiceAccount of config/sensor and a
// 1 s status period; returns once its programs are attached.
void start_sensor(const std::string& node, Child& out) {
  std::string kubeconfig = service_account_kubeconfig();
  ASSERT_FALSE(kubeconfig.empty()) << "could not apply config/sensor RBAC or get a token";
  out = spawn({CASTELLAN_SENSOR_BINARY, "--kubeconfig", kubeconfig, "--node-name", node,
               "--namespace", kNamespace, "--status-period", "1"});
  ASSERT_GT(out.pid, 0);
  bool ready = false;
  std::string err = read_until(out.err, "\"ready\":\"true\"", &ready);
  ASSERT_TRUE(ready) << err;
}

// Stops the sensor with SIGTERM, which must end it cleanly (exit 0).
void stop_sensor(Child& sensor) {
  if (sensor.pid <= 0) return;
  kill(sensor.pid, SIGTERM);
  int wait = testing::wait_status(sensor.pid);
  EXPECT_TRUE(WIFEXITED(wait) && WEXITSTATUS(wait) == 0) << wait;
  close(sensor.out);
  close(sensor.err);
  sensor.pid = -1;
}

// Stops the sensor also when a test ends early on a failed assertion.
struct StopOnExit {
  Child& sensor;
  ~StopOnExit() { stop_sensor(sensor); }
};

nlohmann::json node_sensor_until(const std::string& node,
                                 const std::function<bool(const nlohmann::json&)>& done) {
  return poll_kubectl({"get", "nodesensors", node, "-o", "json"}, [&](const nlohmann::json& o) {
    return o.contains("status") && o["status"].is_object() && done(o["status"]);
  });
}

nlohmann::json condition(const nlohmann::json& object, const std::string& type) {
  for (const auto& c : object["status"].value("conditions", nlohmann::json::array())) {
    if (c.value("type", "") == type) return c;
  }
  return nlohmann::json::object();
}

std::string annotation(const nlohmann::json& event, const char* key) {
  return event["metadata"].value("annotations", nlohmann::json::object()).value(key, "");
}

// Verifies that in node mode an exec rule of a policy matching a Pod's namespace fires for
// a shell in that Pod's container cgroup, as one RuntimeViolation Event on the Pod carrying
// the contract annotations and the related SecurityPolicy, whose count reaches 3 after three
// shells, and a JSON line naming the Pod; that the NodeSensor reports the loaded ruleset, its
// heartbeat interval and Ready/RulesetLoaded; and that all of it works with the
// ServiceAccount and RBAC of config/sensor.
TEST(NodeMode, ShellInPodContainerBecomesEventOnPod) {
  if (geteuid() != 0)
    GTEST_SKIP() << "node mode loads BPF programs and creates cgroups: run as root";
  RunningPod pod;
  ASSERT_NO_FATAL_FAILURE(start_pod(kPod, kNode, pod));
  auto ruleset = api::build_runtime_ruleset({no_shells("shell-in-container")});
  apply(api::ruleset_configmap(ruleset, kNamespace));
  Child sensor;
  StopOnExit stop{sensor};
  ASSERT_NO_FATAL_FAILURE(start_sensor(kNode, sensor));

  for (int i = 0; i < 3; ++i) EXPECT_EQ(WEXITSTATUS(testing::run_shell_in(pod.cgroup, "true")), 0);

  auto events = poll_kubectl(
      {"get", "events", "-n", kAppNamespace, "--field-selector",
       std::string("involvedObject.name=") + kPod + ",reason=RuntimeViolation", "-o", "json"},
      [](const nlohmann::json& list) {
        int64_t total = 0;
        for (const auto& e : list.value("items", nlohmann::json::array()))
          total += e.value("count", 0);
        return total >= 3;
      });
  ASSERT_EQ(events.value("items", nlohmann::json::array()).size(), 1u)
      << "three runs of one shell must aggregate into one Event: " << events.dump();
  const auto& event = events["items"][0];
  EXPECT_EQ(event.value("count", 0), 3) << event.dump();
  EXPECT_EQ(event.value("type", ""), "Warning");
  EXPECT_EQ(event["involvedObject"].value("uid", ""), pod.uid);
  std::string message = event.value("message", "");
  EXPECT_EQ(message.rfind("SecurityPolicy no-shells rule shell-in-container: exec of ", 0), 0u)
      << message;
  EXPECT_NE(message.find(std::string(" in container ") + kContainer), std::string::npos) << message;
  EXPECT_EQ(message.find("pid"), std::string::npos) << message;
  EXPECT_EQ(annotation(event, api::kViolationPolicyAnnotation), "no-shells");
  EXPECT_EQ(annotation(event, api::kViolationRuleAnnotation), "shell-in-container");
  EXPECT_EQ(annotation(event, api::kViolationActionAnnotation), "Alert");
  EXPECT_EQ(annotation(event, api::kViolationNodeAnnotation), kNode);
  EXPECT_EQ(annotation(event, api::kViolationContainerAnnotation), pod.container_id);
  EXPECT_EQ(event.value("related", nlohmann::json::object()),
            (nlohmann::json{{"apiVersion", "castellan.io/v1alpha1"},
                            {"kind", "SecurityPolicy"},
                            {"name", "no-shells"}}))
      << event.dump();
  auto decoded = api::decode_runtime_violation(event);
  ASSERT_TRUE(decoded.ok()) << decoded.error().message;
  EXPECT_EQ(decoded->count, 3);
  EXPECT_FALSE(decoded->killed);

  bool alerted = false;
  std::string out = read_until(sensor.out, std::string("\"name\":\"") + kPod + "\"", &alerted);
  EXPECT_TRUE(alerted) << out;

  auto node_sensor = node_sensor_until(kNode, [&](const nlohmann::json& status) {
    return status.value("rulesetHash", "") == ruleset.hash;
  });
  EXPECT_EQ(node_sensor["status"].value("rulesetHash", ""), ruleset.hash) << node_sensor.dump();
  EXPECT_FALSE(node_sensor["status"].value("programsAttached", nlohmann::json::array()).empty());
  EXPECT_EQ(node_sensor["status"].value("heartbeatIntervalSeconds", 0), 1);
  EXPECT_FALSE(node_sensor["status"].contains("failedRulesetHash")) << node_sensor.dump();
  auto ready = condition(node_sensor, api::kSensorReadyCondition);
  EXPECT_EQ(ready.value("status", ""), "True") << node_sensor.dump();
  EXPECT_EQ(ready.value("reason", ""), "Reporting");
  EXPECT_NE(ready.value("message", "").find("exec"), std::string::npos) << ready.dump();
  auto loaded = condition(node_sensor, api::kRulesetLoadedCondition);
  EXPECT_EQ(loaded.value("status", ""), "True") << node_sensor.dump();
  EXPECT_EQ(loaded.value("reason", ""), "Loaded");
  EXPECT_NE(loaded.value("message", "").find(ruleset.hash), std::string::npos) << loaded.dump();

  // The heartbeat follows --status-period; the transition time stays while Ready stays True.
  std::string beat = node_sensor["status"].value("lastHeartbeatTime", "");
  auto since = std::chrono::steady_clock::now();
  node_sensor = node_sensor_until(kNode, [&](const nlohmann::json& status) {
    return status.value("lastHeartbeatTime", "") != beat;
  });
  EXPECT_NE(node_sensor["status"].value("lastHeartbeatTime", ""), beat);
  EXPECT_LT(std::chrono::steady_clock::now() - since, std::chrono::seconds(5));
  EXPECT_EQ(condition(node_sensor, api::kSensorReadyCondition).value("lastTransitionTime", ""),
            ready.value("lastTransitionTime", "-"));

  // A new ruleset is loaded without a restart: its rule fires and its hash is reported.
  auto reloaded = api::build_runtime_ruleset({no_shells("shell-renamed")});
  ASSERT_NE(reloaded.hash, ruleset.hash);
  apply(api::ruleset_configmap(reloaded, kNamespace));
  node_sensor = node_sensor_until(kNode, [&](const nlohmann::json& status) {
    return status.value("rulesetHash", "") == reloaded.hash;
  });
  EXPECT_EQ(node_sensor["status"].value("rulesetHash", ""), reloaded.hash) << node_sensor.dump();
  EXPECT_EQ(WEXITSTATUS(testing::run_shell_in(pod.cgroup, "true")), 0);
  bool renamed = false;
  out = read_until(sensor.out, "shell-renamed", &renamed);
  EXPECT_TRUE(renamed) << out;
}

// Verifies that a ruleset this node cannot load (65 rules, more than the sensor's 64 rule
// bits) is reported as failedRulesetHash, rulesetError and RulesetLoaded=False while the
// previous ruleset keeps running and alerting, and that the next good ruleset clears them.
TEST(NodeMode, UnloadableRulesetIsReportedAndPreviousKeepsRunning) {
  if (geteuid() != 0)
    GTEST_SKIP() << "node mode loads BPF programs and creates cgroups: run as root";
  const std::string node = "node-e2e-ruleset";
  RunningPod pod;
  ASSERT_NO_FATAL_FAILURE(start_pod("api", node, pod));
  auto good = api::build_runtime_ruleset({no_shells("shell-before")});
  apply(api::ruleset_configmap(good, kNamespace));
  Child sensor;
  StopOnExit stop{sensor};
  ASSERT_NO_FATAL_FAILURE(start_sensor(node, sensor));
  EXPECT_EQ(WEXITSTATUS(testing::run_shell_in(pod.cgroup, "true")), 0);
  bool alerted = false;
  std::string out = read_until(sensor.out, "shell-before", &alerted);
  ASSERT_TRUE(alerted) << out;

  // Each policy is valid on its own; together they need 65 rule bits.
  nlohmann::json many = nlohmann::json::parse(R"({"apiVersion":"castellan.io/v1alpha1",
    "kind":"SecurityPolicy","metadata":{"name":"many-rules"},
    "spec":{"match":{"namespaces":["batch-*"]},"runtime":{"rules":[]}}})");
  for (int i = 0; i < 64; ++i) {
    many["spec"]["runtime"]["rules"].push_back(
        {{"name", "tool-" + std::to_string(i)},
         {"exec", {{"names", {"tool" + std::to_string(i)}}}}});
  }
  auto bad = api::build_runtime_ruleset({policy_from(many.dump()), no_shells("shell-after")});
  ASSERT_NE(bad.hash, good.hash);
  apply(api::ruleset_configmap(bad, kNamespace));
  auto node_sensor = node_sensor_until(node, [&](const nlohmann::json& status) {
    return status.value("failedRulesetHash", "") == bad.hash;
  });
  const auto& status = node_sensor["status"];
  EXPECT_EQ(status.value("failedRulesetHash", ""), bad.hash) << node_sensor.dump();
  EXPECT_EQ(status.value("rulesetHash", ""), good.hash) << node_sensor.dump();
  EXPECT_NE(status.value("rulesetError", "").find("more than 64 runtime rules"), std::string::npos)
      << node_sensor.dump();
  EXPECT_FALSE(status.value("programsAttached", nlohmann::json::array()).empty());
  auto loaded = condition(node_sensor, api::kRulesetLoadedCondition);
  EXPECT_EQ(loaded.value("status", ""), "False") << node_sensor.dump();
  EXPECT_EQ(loaded.value("reason", ""), "LoadFailed");
  EXPECT_NE(loaded.value("message", "").find(bad.hash), std::string::npos) << loaded.dump();
  EXPECT_EQ(condition(node_sensor, api::kSensorReadyCondition).value("status", ""), "True");

  // The previous programs still run: the shell is caught by the rule loaded before.
  EXPECT_EQ(WEXITSTATUS(testing::run_shell_in(pod.cgroup, "true")), 0);
  alerted = false;
  out = read_until(sensor.out, "shell-before", &alerted);
  EXPECT_TRUE(alerted) << out;
  EXPECT_EQ(out.find("shell-after"), std::string::npos) << out;

  auto fixed = api::build_runtime_ruleset({no_shells("shell-after")});
  apply(api::ruleset_configmap(fixed, kNamespace));
  node_sensor = node_sensor_until(node, [&](const nlohmann::json& status) {
    return status.value("rulesetHash", "") == fixed.hash;
  });
  EXPECT_EQ(node_sensor["status"].value("rulesetHash", ""), fixed.hash) << node_sensor.dump();
  EXPECT_FALSE(node_sensor["status"].contains("failedRulesetHash")) << node_sensor.dump();
  EXPECT_FALSE(node_sensor["status"].contains("rulesetError")) << node_sensor.dump();
  loaded = condition(node_sensor, api::kRulesetLoadedCondition);
  EXPECT_EQ(loaded.value("status", ""), "True") << node_sensor.dump();
  EXPECT_EQ(loaded.value("reason", ""), "Loaded");
  EXPECT_EQ(WEXITSTATUS(testing::run_shell_in(pod.cgroup, "true")), 0);
  alerted = false;
  out = read_until(sensor.out, "shell-after", &alerted);
  EXPECT_TRUE(alerted) << out;
}

}  // namespace
}  // namespace castellan::sensor
