// Runs the castellan-sensor binary as a user would: flags, readiness line, JSON alert lines on
// stdout, clean exit with a summary on SIGTERM, and exit codes for bad input.
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "bpf_test_support.h"

extern char** environ;

namespace castellan::sensor {
namespace {

struct Child {
  pid_t pid = -1;
  int out = -1;  // its stdout
  int err = -1;  // its stderr
};

Child spawn_sensor(const std::vector<std::string>& args) {
  int out[2], err[2];
  if (pipe(out) != 0 || pipe(err) != 0) return {};
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out[1], 1);
  posix_spawn_file_actions_adddup2(&actions, err[1], 2);
  posix_spawn_file_actions_addclose(&actions, out[0]);
  posix_spawn_file_actions_addclose(&actions, err[0]);
  std::vector<char*> argv;
  std::string binary = CASTELLAN_SENSOR_BINARY;
  argv.push_back(binary.data());
  std::vector<std::string> copy = args;
  for (auto& a : copy) argv.push_back(a.data());
  argv.push_back(nullptr);
  Child child;
  posix_spawn(&child.pid, binary.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  close(out[1]);
  close(err[1]);
  child.out = out[0];
  child.err = err[0];
  return child;
}

// Reads fd until a line containing `needle` arrives or the fd closes; returns all text read.
std::string read_until(int fd, const std::string& needle, bool* found) {
  std::string text;
  *found = false;
  for (int i = 0; i < 200; ++i) {
    pollfd pfd{fd, POLLIN, 0};
    if (poll(&pfd, 1, 100) <= 0) continue;
    char buf[4096];
    ssize_t n = read(fd, buf, sizeof(buf));
    if (n <= 0) break;
    text.append(buf, static_cast<size_t>(n));
    auto at = text.find(needle);
    if (at != std::string::npos && text.find('\n', at) != std::string::npos) {
      *found = true;
      break;
    }
  }
  return text;
}

std::string read_all(int fd) {
  std::string text;
  char buf[4096];
  ssize_t n;
  while ((n = read(fd, buf, sizeof(buf))) > 0) text.append(buf, static_cast<size_t>(n));
  return text;
}

int finish(Child& child, std::string* out, std::string* err) {
  int status = 0;
  std::string o = read_all(child.out), e = read_all(child.err);
  waitpid(child.pid, &status, 0);
  close(child.out);
  close(child.err);
  if (out) *out += o;
  if (err) *err += e;
  return status;
}

std::string write_file(const std::string& dir, const std::string& name, const std::string& text) {
  std::string path = dir + "/" + name;
  std::ofstream(path) << text;
  return path;
}

class Standalone : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/castellan-sensor-cli-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string dir_;
};

const char* kRules = R"(apiVersion: castellan.io/v1alpha1
kind: SecurityPolicy
metadata: {name: cli}
spec:
  runtime:
    rules:
    - name: shell
      exec: {names: [sh]}
)";

// Verifies that --help prints usage and exits 0.
TEST_F(Standalone, HelpExitsZero) {
  Child c = spawn_sensor({"--help"});
  std::string out;
  int status = finish(c, &out, nullptr);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  EXPECT_NE(out.find("--standalone --rules FILE"), std::string::npos);
}

// Verifies that unknown flags and invalid rules exit 2 with a message naming the problem.
TEST_F(Standalone, BadInputExitsTwo) {
  Child c = spawn_sensor({"--standalone", "--bogus"});
  std::string err;
  int status = finish(c, nullptr, &err);
  EXPECT_EQ(WEXITSTATUS(status), 2);
  EXPECT_NE(err.find("unknown argument --bogus"), std::string::npos);

  std::string bad = write_file(dir_, "bad.yaml", std::string(kRules) + "      action: Explode\n");
  c = spawn_sensor({"--standalone", "--rules", bad});
  err.clear();
  status = finish(c, nullptr, &err);
  EXPECT_EQ(WEXITSTATUS(status), 2);
  EXPECT_NE(err.find("Explode"), std::string::npos) << err;
}

// Verifies the whole standalone flow: ready line, an alert JSON line for a shell in the scoped
// cgroup, and on SIGTERM a clean exit 0 with a counter summary.
TEST_F(Standalone, AlertsAsJsonLinesAndExitsCleanly) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root";
  testing::CgroupSandbox sandbox;
  ASSERT_TRUE(sandbox.ok());
  auto cgroup = sandbox.make("scoped");
  std::string rules = write_file(dir_, "rules.yaml", kRules);
  Child c = spawn_sensor({"--standalone", "--rules", rules, "--cgroup", cgroup.path,
                          "--node-name", "cli-node"});
  bool ready = false;
  std::string err = read_until(c.err, "\"ready\":\"true\"", &ready);
  ASSERT_TRUE(ready) << err;

  pid_t pid = 0;
  testing::run_shell_in(cgroup.path, "true from-cli-test", &pid);
  bool alerted = false;
  std::string out = read_until(c.out, "from-cli-test", &alerted);
  ASSERT_TRUE(alerted) << out;
  kill(c.pid, SIGTERM);
  int status = finish(c, &out, &err);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << err;
  EXPECT_NE(err.find("Stopped sensor"), std::string::npos) << err;
  EXPECT_NE(err.find("alerts=1"), std::string::npos) << err;

  auto line = out.substr(0, out.find('\n'));
  auto json = nlohmann::json::parse(line, nullptr, false);
  ASSERT_FALSE(json.is_discarded()) << line;
  EXPECT_EQ(json["rule"], "shell");
  EXPECT_EQ(json["node"], "cli-node");
  EXPECT_EQ(json["process"]["pid"], pid);
  EXPECT_EQ(json["cgroup"]["path"], cgroup.path);
  EXPECT_FALSE(json.contains("file"));
}

}  // namespace
}  // namespace castellan::sensor
