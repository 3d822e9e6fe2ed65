#include "e2e/node/node_environment.h"

#include <unistd.h>

#include <iostream>
#include <memory>

namespace castellan::e2e {
namespace {

struct State {
  std::unique_ptr<Kubectl> kubectl;
  std::string node_name;
  std::string skip_reason = "the node environment was not set up";
  bool started_here = false;
  bool registry_started_here = false;
};

State& state() {
  static State s;
  return s;
}

CommandResult script(const std::vector<std::string>& argv, std::chrono::seconds timeout,
                     bool show_progress) {
  CommandOptions options;
  options.timeout = timeout;
  options.inherit_stderr = show_progress;
  auto r = run_command(argv, options);
  if (!r.ok()) return CommandResult{-1, "", r.error().message};
  return *r;
}

// `export KUBECONFIG=/path` lines, as e2e/node.sh env prints them.
std::string exported(const std::string& text, const std::string& name) {
  auto key = "export " + name + "=";
  auto at = text.find(key);
  if (at == std::string::npos) return {};
  auto start = at + key.size();
  auto end = text.find('\n', start);
  auto value = text.substr(start, end == std::string::npos ? std::string::npos : end - start);
  if (value.size() >= 2 && (value.front() == '\'' || value.front() == '"')) {
    value = value.substr(1, value.size() - 2);
  }
  return value;
}

}  // namespace

std::string NodeEnvironment::source_dir() { return CASTELLAN_SOURCE_DIR; }

const Kubectl& NodeEnvironment::kubectl() { return *state().kubectl; }
const std::string& NodeEnvironment::node_name() { return state().node_name; }
const std::string& NodeEnvironment::skip_reason() { return state().skip_reason; }

void NodeEnvironment::SetUp() {
  auto& s = state();
  if (geteuid() != 0) {
    s.skip_reason = "needs root: the node runs kubelet, containerd and eBPF programs";
    return;
  }
  const auto root = source_dir();
  const auto node_sh = root + "/e2e/node.sh";
  s.registry_started_here =
      !script({root + "/e2e/registry.sh", "status"}, std::chrono::seconds(30), false).ok();
  std::cerr << "node environment: pushing Castellan's images (scripts/images.sh push)\n";
  auto images = script({root + "/scripts/images.sh", "push"}, std::chrono::seconds(1500), true);
  if (!images.ok()) {
    s.skip_reason = "scripts/images.sh push failed (exit " + std::to_string(images.exit_code) +
                    "): " + images.err;
    ADD_FAILURE() << s.skip_reason;
    return;
  }
  if (script({node_sh, "status"}, std::chrono::seconds(30), false).ok()) {
    std::cerr << "node environment: using the node that already runs\n";
  } else {
    std::cerr << "node environment: starting a node (e2e/node.sh up)\n";
    auto up = script({node_sh, "up"}, std::chrono::seconds(1500), true);
    s.started_here = true;
    if (!up.ok()) {
      s.skip_reason = "e2e/node.sh up failed (exit " + std::to_string(up.exit_code) + ")";
      ADD_FAILURE() << s.skip_reason;
      return;
    }
  }
  auto env = script({node_sh, "env"}, std::chrono::seconds(30), false);
  auto kubeconfig = exported(env.out, "KUBECONFIG");
  if (!env.ok() || kubeconfig.empty()) {
    s.skip_reason = "e2e/node.sh env printed no KUBECONFIG: " + env.err;
    ADD_FAILURE() << s.skip_reason;
    return;
  }
  s.kubectl = std::make_unique<Kubectl>(kubeconfig);
  auto nodes = s.kubectl->get_json({"get", "nodes"});
  if (!nodes.is_object() || nodes["items"].size() != 1) {
    s.skip_reason = "expected exactly one Node, got: " + nodes.dump();
    ADD_FAILURE() << s.skip_reason;
    return;
  }
  s.node_name = nodes["items"][0]["metadata"]["name"];
  s.skip_reason.clear();
}

void NodeEnvironment::TearDown() {
  auto& s = state();
  if (getenv("CASTELLAN_NODE_KEEP")) {
    std::cerr << "node environment: CASTELLAN_NODE_KEEP is set; the node and registry keep running\n";
    return;
  }
  if (s.started_here) {
    auto down = script({source_dir() + "/e2e/node.sh", "down"}, std::chrono::seconds(300), true);
    EXPECT_TRUE(down.ok()) << "e2e/node.sh down failed: " << down.err;
  }
  if (s.registry_started_here) {
    auto down = script({source_dir() + "/e2e/registry.sh", "down"}, std::chrono::seconds(60), true);
    EXPECT_TRUE(down.ok()) << "e2e/registry.sh down failed: " << down.err;
  }
}

}  // namespace castellan::e2e
