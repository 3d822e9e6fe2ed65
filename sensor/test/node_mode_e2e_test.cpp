// Runs castellan-sensor in node mode against a real API server, as a DaemonSet pod would:
// a Pod on its node with a started container (status written as a kubelet would), a cgroup
// named as the kubelet names it, the runtime ruleset ConfigMap, and a shell run in the
// container's cgroup, which must become a RuntimeViolation Event on that Pod.
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>

#include <nlohmann/json.hpp>
#include <random>

#include "api/runtime_ruleset.h"
#include "api/security_policy_codec.h"
#include "bpf_test_support.h"
#include "e2e/control_plane_environment.h"

extern char** environ;

namespace castellan::sensor {
namespace {

using e2e::ControlPlaneEnvironment;

constexpr const char* kNode = "node-e2e";
constexpr const char* kNamespace = "castellan-system";
constexpr const char* kAppNamespace = "app-e2e";
constexpr const char* kPod = "web";

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
  auto token = cp.kubectl({"create", "token", "castellan-sensor", "-n", kNamespace});
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

// Verifies that in node mode an exec rule of a policy matching a Pod's namespace fires for
// a shell in that Pod's container cgroup, as a RuntimeViolation Event on the Pod and a JSON
// line naming the Pod, that the NodeSensor reports the loaded ruleset hash, and that all of
// it works with the ServiceAccount and RBAC of config/sensor.
TEST(NodeMode, ShellInPodContainerBecomesEventOnPod) {
  if (geteuid() != 0) GTEST_SKIP() << "node mode loads BPF programs and creates cgroups: run as root";
  auto mount = find_cgroup2_mount();
  ASSERT_TRUE(mount.ok()) << mount.error().message;

  kubectl_ok({"create", "namespace", kNamespace});
  kubectl_ok({"create", "namespace", kAppNamespace});
  nlohmann::json pod = {
      {"apiVersion", "v1"}, {"kind", "Pod"},
      {"metadata", {{"name", kPod}, {"namespace", kAppNamespace}, {"labels", {{"app", "web"}}}}},
      {"spec", {{"nodeName", kNode}, {"containers", {{{"name", "web"}, {"image", "nginx:1.25"}}}}}}};
  kubectl_ok({"apply", "-f", "-"}, pod.dump());
  auto got = ControlPlaneEnvironment::control_plane().kubectl(
      {"get", "pod", kPod, "-n", kAppNamespace, "-o", "jsonpath={.metadata.uid}"});
  ASSERT_TRUE(got.ok() && got->ok());
  std::string uid = got->out;
  std::string id = random_container_id();
  nlohmann::json status = {{"status",
                            {{"phase", "Running"},
                             {"containerStatuses",
                              {{{"name", "web"}, {"ready", true}, {"restartCount", 0},
                                {"image", "nginx:1.25"}, {"imageID", "docker.io/library/nginx@sha256:" + id},
                                {"containerID", "containerd://" + id},
                                {"state", {{"running", {{"startedAt", "2026-01-01T00:00:00Z"}}}}}}}}}}};
  kubectl_ok({"patch", "pod", kPod, "-n", kAppNamespace, "--subresource=status", "--type=merge",
              "-p", status.dump()});

  KubeletCgroup cgroup;
  std::string container_cgroup = cgroup.make(*mount, uid, id);
  ASSERT_FALSE(container_cgroup.empty()) << "could not create the container's cgroup under " << *mount;

  auto policy = api::parse_security_policy(nlohmann::json::parse(R"({
    "apiVersion":"castellan.io/v1alpha1","kind":"SecurityPolicy","metadata":{"name":"no-shells"},
    "spec":{"match":{"namespaces":["app-*"]},
            "runtime":{"rules":[{"name":"shell-in-container","exec":{"names":["sh"]}}]}}})"));
  ASSERT_TRUE(policy.ok()) << policy.error().message;
  auto ruleset = api::build_runtime_ruleset({*policy});
  kubectl_ok({"apply", "-f", "-"}, api::ruleset_configmap(ruleset, kNamespace).dump());

  std::string kubeconfig = service_account_kubeconfig();
  ASSERT_FALSE(kubeconfig.empty()) << "could not apply config/sensor RBAC or get a token";
  Child sensor = spawn({CASTELLAN_SENSOR_BINARY, "--kubeconfig", kubeconfig, "--node-name",
                        kNode, "--namespace", kNamespace});
  ASSERT_GT(sensor.pid, 0);
  bool ready = false;
  std::string err = read_until(sensor.err, "\"ready\":\"true\"", &ready);
  ASSERT_TRUE(ready) << err;

  EXPECT_EQ(WEXITSTATUS(testing::run_shell_in(container_cgroup, "true")), 0);

  auto events = poll_kubectl(
      {"get", "events", "-n", kAppNamespace, "--field-selector",
       std::string("involvedObject.name=") + kPod + ",reason=RuntimeViolation", "-o", "json"},
      [](const nlohmann::json& list) { return !list.value("items", nlohmann::json::array()).empty(); });
  ASSERT_FALSE(events.value("items", nlohmann::json::array()).empty()) << events.dump();
  const auto& event = events["items"][0];
  EXPECT_EQ(event.value("type", ""), "Warning");
  EXPECT_EQ(event["involvedObject"].value("uid", ""), uid);
  EXPECT_NE(event.value("message", "").find("SecurityPolicy no-shells rule shell-in-container"),
            std::string::npos)
      << event.dump();

  bool alerted = false;
  std::string out = read_until(sensor.out, std::string("\"name\":\"") + kPod + "\"", &alerted);
  EXPECT_TRUE(alerted) << out;

  auto node_sensor = poll_kubectl({"get", "nodesensors", kNode, "-o", "json"}, [&](const nlohmann::json& o) {
    return o.contains("status") && o["status"].value("rulesetHash", "") == ruleset.hash;
  });
  EXPECT_EQ(node_sensor["status"].value("rulesetHash", ""), ruleset.hash) << node_sensor.dump();
  EXPECT_FALSE(node_sensor["status"].value("programsAttached", nlohmann::json::array()).empty());

  // A new ruleset is loaded without a restart: its rule fires and its hash is reported.
  auto changed = api::parse_security_policy(nlohmann::json::parse(R"({
    "apiVersion":"castellan.io/v1alpha1","kind":"SecurityPolicy","metadata":{"name":"no-shells"},
    "spec":{"match":{"namespaces":["app-*"]},
            "runtime":{"rules":[{"name":"shell-renamed","exec":{"names":["sh"]}}]}}})"));
  ASSERT_TRUE(changed.ok()) << changed.error().message;
  auto reloaded = api::build_runtime_ruleset({*changed});
  ASSERT_NE(reloaded.hash, ruleset.hash);
  kubectl_ok({"apply", "-f", "-"}, api::ruleset_configmap(reloaded, kNamespace).dump());
  node_sensor = poll_kubectl({"get", "nodesensors", kNode, "-o", "json"}, [&](const nlohmann::json& o) {
    return o.contains("status") && o["status"].value("rulesetHash", "") == reloaded.hash;
  });
  EXPECT_EQ(node_sensor["status"].value("rulesetHash", ""), reloaded.hash) << node_sensor.dump();
  EXPECT_EQ(WEXITSTATUS(testing::run_shell_in(container_cgroup, "true")), 0);
  bool renamed = false;
  out = read_until(sensor.out, "shell-renamed", &renamed);
  EXPECT_TRUE(renamed) << out;

  kill(sensor.pid, SIGTERM);
  int wait = testing::wait_status(sensor.pid);
  EXPECT_TRUE(WIFEXITED(wait) && WEXITSTATUS(wait) == 0) << wait;
}

}  // namespace
}  // namespace castellan::sensor
