// Loads the real programs into the running kernel (needs root) and runs workloads in fresh
// cgroup v2 children: one inside the rules' scope, one outside.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <linux/openat2.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/syscall.h>

#include <algorithm>
#include <filesystem>

#include "bpf_test_support.h"
#include "sensor/metrics.h"
#include "sensor/rules_file.h"
#include "sensor/ruleset_compiler.h"
#include "sensor/sensor.h"

namespace castellan::sensor {
namespace {

using testing::CgroupSandbox;
using testing::CollectingSink;
using testing::run_shell_in;
using testing::spawn_in;
using testing::wait_status;

constexpr uint16_t kAlertPort = 9;
constexpr uint16_t kExceptPort = 5353;

int connect_loopback(uint16_t port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  close(fd);
  return 0;
}

class SensorBpf : public ::testing::Test {
 protected:
  void SetUp() override {
    if (geteuid() != 0) GTEST_SKIP() << "bpf tests need root";
    ASSERT_TRUE(sandbox_.ok()) << "cannot create a cgroup v2 child";
    in_ = sandbox_.make("in");
    out_ = sandbox_.make("out");
    ASSERT_NE(in_.id, 0u);
    char tmpl[] = "/tmp/castellan-sensor-test-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    watched_ = dir_ + "/watched";
    std::filesystem::create_directories(watched_);
    std::filesystem::copy_file("/bin/sh", dir_ + "/victim-sh");
    chmod((dir_ + "/victim-sh").c_str(), 0755);
  }

  void TearDown() override {
    sensor_.reset();
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }

  std::string rules_yaml() const {
    return R"(
apiVersion: castellan.io/v1alpha1
kind: SecurityPolicy
metadata: {name: test}
spec:
  runtime:
    rules:
    - name: shell
      exec: {names: [sh, dash]}
    - name: victim
      exec: {names: [victim-sh]}
      action: Kill
    - name: watched-writes
      fileWrite: {pathPrefixes: [")" + watched_ + R"("]}
    - name: egress
      connect: {exceptCIDRs: ["10.0.0.0/8"], exceptPorts: [)" + std::to_string(kExceptPort) + R"(]}
)";
  }

  // Loads the rules scoped to the "in" cgroup and starts the consumer unless told not to.
  void start(const std::string& yaml, uint32_t ringbuf_bytes = 8u << 20, bool consume = true) {
    auto file = parse_rules(yaml, "test.yaml");
    ASSERT_TRUE(file.ok()) << file.error().message;
    auto ruleset = compile_ruleset(file->policies);
    ASSERT_TRUE(ruleset.ok()) << ruleset.error().message;
    Scope scope;
    scope.roots = {in_};
    ProgramOptions options;
    options.ringbuf_bytes = ringbuf_bytes;
    options.sensor_tgid = static_cast<uint32_t>(getpid());
    auto program = SensorProgram::load(*ruleset, scope, options);
    ASSERT_TRUE(program.ok()) << program.error().message;
    ProcessorOptions processor_options;
    processor_options.node = "test-node";
    std::string mount = sandbox_.mount();
    processor_options.cgroup_path = [mount](uint64_t id) { return cgroup_path_of(mount, id); };
    sensor_ = std::make_unique<Sensor>(
        std::move(*program), std::make_unique<EventProcessor>(std::move(*ruleset), processor_options),
        sink_);
    if (consume) sensor_->start();
  }

  // Runs an in-scope exec and waits for its alert: every earlier record has been consumed.
  void sync() {
    std::string marker = "sync-" + std::to_string(++syncs_);
    run_shell_in(in_.path, "true " + marker);
    ASSERT_TRUE(sink_.wait_for([&](const Alert& a) {
      return a.rule == "shell" && std::find(a.process.args.begin(), a.process.args.end(),
                                            "true " + marker) != a.process.args.end();
    }));
  }

  std::vector<Alert> alerts_for(pid_t pid, const std::string& rule) {
    std::vector<Alert> out;
    for (const auto& a : sink_.alerts()) {
      if (a.process.pid == static_cast<uint32_t>(pid) && a.rule == rule) out.push_back(a);
    }
    return out;
  }

  CgroupSandbox sandbox_;
  CgroupInfo in_, out_;
  std::string dir_, watched_;
  CollectingSink sink_;
  std::unique_ptr<Sensor> sensor_;
  int syncs_ = 0;
};

// Verifies that `sh -c ...` triggers the exec rule with the right pid, exe, args and cgroup.
TEST_F(SensorBpf, ExecRuleAlertsWithProcessDetails) {
  start(rules_yaml());
  pid_t pid = 0;
  int status = run_shell_in(in_.path, "true exec-test", &pid);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  ASSERT_TRUE(sink_.wait_for([&](const Alert& a) { return a.process.pid == uint32_t(pid); }));
  auto alerts = alerts_for(pid, "shell");
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(alerts[0].action, "Alert");
  EXPECT_EQ(alerts[0].process.exe, "/bin/sh");
  EXPECT_EQ(alerts[0].process.args, (std::vector<std::string>{"sh", "-c", "true exec-test"}));
  EXPECT_EQ(alerts[0].process.ppid, static_cast<uint32_t>(getpid()));
  EXPECT_EQ(alerts[0].cgroup_id, in_.id);
  EXPECT_EQ(alerts[0].cgroup_path, in_.path);
  EXPECT_EQ(alerts[0].node, "test-node");
}

// Verifies that a process in a kubelet-named container cgroup below the scope root is in scope
// (subtree match in the kernel) and that its alert names the container.
TEST_F(SensorBpf, SubtreeCgroupAlertCarriesContainerId) {
  const std::string id = "4f1c2b3a4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8";
  sandbox_.make("in/pod0d7e8a3c-1b2f-4c5d-9e8f-a1b2c3d4e5f6");
  auto container = sandbox_.make("in/pod0d7e8a3c-1b2f-4c5d-9e8f-a1b2c3d4e5f6/" + id);
  ASSERT_NE(container.id, 0u);
  start(rules_yaml());
  pid_t pid = 0;
  run_shell_in(container.path, "true in-container", &pid);
  ASSERT_TRUE(sink_.wait_for([&](const Alert& a) { return a.process.pid == uint32_t(pid); }));
  auto alerts = alerts_for(pid, "shell");
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(alerts[0].cgroup_id, container.id);
  ASSERT_TRUE(alerts[0].container_id.has_value());
  EXPECT_EQ(*alerts[0].container_id, id);
}

// Verifies that write opens under the prefix alert with the resolved path (absolute, relative
// to the cwd, relative to a dirfd, through "..", and via openat2), and read-only opens do not.
TEST_F(SensorBpf, FileWritesAlertWithResolvedPaths) {
  start(rules_yaml());
  std::string w = watched_;
  pid_t pid = spawn_in(in_.path, [&] {
    close(open((w + "/abs").c_str(), O_WRONLY | O_CREAT, 0644));
    if (chdir(w.c_str()) != 0) return 1;
    close(open("rel", O_RDWR | O_CREAT | O_TRUNC, 0644));
    close(open("../watched/dotdot", O_WRONLY | O_CREAT, 0644));
    int dfd = open(w.c_str(), O_RDONLY | O_DIRECTORY);
    close(openat(dfd, "viadirfd", O_WRONLY | O_CREAT, 0644));
    open_how how{};
    how.flags = O_WRONLY | O_CREAT;
    how.mode = 0644;
    close(static_cast<int>(syscall(SYS_openat2, dfd, "via-openat2", &how, sizeof(how))));
    close(open((w + "/abs").c_str(), O_RDONLY));  // read-only: never an alert
    close(dfd);
    if (chdir("/") != 0) return 1;
    close(open((w + "-sibling").c_str(), O_WRONLY | O_CREAT, 0644));  // outside the prefix
    return 0;
  });
  ASSERT_EQ(wait_status(pid), 0);
  sync();
  std::vector<std::string> paths;
  for (const auto& a : alerts_for(pid, "watched-writes")) {
    ASSERT_TRUE(a.file.has_value());
    paths.push_back(a.file->path);
  }
  std::sort(paths.begin(), paths.end());
  EXPECT_EQ(paths, (std::vector<std::string>{w + "/abs", w + "/dotdot", w + "/rel",
                                             w + "/via-openat2", w + "/viadirfd"}));
  auto alerts = alerts_for(pid, "watched-writes");
  auto rel = std::find_if(alerts.begin(), alerts.end(),
                          [&](const Alert& a) { return a.file->path == w + "/rel"; });
  ASSERT_NE(rel, alerts.end());
  EXPECT_EQ(rel->file->flags, (std::vector<std::string>{"O_RDWR", "O_CREAT", "O_TRUNC"}));
}

// Verifies that a connect to a port outside exceptPorts alerts and one inside does not.
TEST_F(SensorBpf, ConnectOutsideExceptPortsAlerts) {
  start(rules_yaml());
  pid_t pid = spawn_in(in_.path, [] {
    connect_loopback(kExceptPort);
    return connect_loopback(kAlertPort);
  });
  ASSERT_EQ(wait_status(pid), 0);
  sync();
  auto alerts = alerts_for(pid, "egress");
  ASSERT_EQ(alerts.size(), 1u);
  ASSERT_TRUE(alerts[0].connect.has_value());
  EXPECT_EQ(alerts[0].connect->family, "ipv4");
  EXPECT_EQ(alerts[0].connect->addr, "127.0.0.1");
  EXPECT_EQ(alerts[0].connect->port, kAlertPort);
}

// Verifies that a Kill rule kills the program before it runs: no marker file, SIGKILL status.
TEST_F(SensorBpf, KillRuleKillsBeforeTheProgramRuns) {
  start(rules_yaml());
  std::string marker = dir_ + "/marker";
  std::string victim = dir_ + "/victim-sh";
  pid_t pid = spawn_in(in_.path, [&] {
    execl(victim.c_str(), "victim-sh", "-c", ("touch " + marker).c_str(), static_cast<char*>(nullptr));
    return 121;
  });
  int status = wait_status(pid);
  EXPECT_TRUE(WIFSIGNALED(status)) << "status " << status;
  EXPECT_EQ(WTERMSIG(status), SIGKILL);
  EXPECT_FALSE(std::filesystem::exists(marker));
  ASSERT_TRUE(sink_.wait_for([&](const Alert& a) { return a.rule == "victim"; }));
  auto alerts = alerts_for(pid, "victim");
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(alerts[0].action, "Kill");
  EXPECT_EQ(alerts[0].process.exe, victim);
  EXPECT_GE(sensor_->stats().kernel.killed, 1u);
}

// Verifies that the same workloads outside the scope raise nothing and never leave the kernel.
TEST_F(SensorBpf, OutOfScopeWorkloadsAreFilteredInTheKernel) {
  start(rules_yaml());
  sync();
  auto before = sensor_->stats().kernel;
  std::string w = watched_;
  std::string victim = dir_ + "/victim-sh";
  pid_t pid = spawn_in(out_.path, [&] {
    close(open((w + "/out-abs").c_str(), O_WRONLY | O_CREAT, 0644));
    connect_loopback(kAlertPort);
    execl(victim.c_str(), "victim-sh", "-c", "true out-of-scope", static_cast<char*>(nullptr));
    return 121;
  });
  int status = wait_status(pid);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "not killed out of scope";
  sync();
  auto after = sensor_->stats().kernel;
  for (const auto& a : sink_.alerts()) {
    EXPECT_NE(a.cgroup_id, out_.id) << a.rule << " alerted out of scope";
  }
  // Only the second sync's exec and exit records crossed into user space.
  EXPECT_EQ(after.submitted - before.submitted, 2u);
  EXPECT_GT(after.filtered, before.filtered);
}

// Verifies that flooding a small ring buffer is counted as drops, reported in the metrics,
// and that the sensor keeps delivering afterwards.
TEST_F(SensorBpf, FloodIsCountedAsDropsAndSurvived) {
  std::string yaml = R"(
apiVersion: castellan.io/v1alpha1
kind: SecurityPolicy
metadata: {name: flood}
spec:
  runtime:
    rules:
    - name: watched-writes
      fileWrite: {pathPrefixes: [")" + watched_ + R"("]}
)";
  start(yaml, 16384, /*consume=*/false);
  constexpr int kOpens = 20000;
  std::string file = watched_ + "/flood";
  pid_t pid = spawn_in(in_.path, [&] {
    for (int i = 0; i < kOpens; ++i) close(open(file.c_str(), O_WRONLY | O_CREAT, 0644));
    return 0;
  });
  ASSERT_EQ(wait_status(pid), 0);
  auto k = sensor_->stats().kernel;
  EXPECT_GT(k.dropped_ringbuf, 0u);
  // Every open, plus the flooding process's exit.
  EXPECT_EQ(k.submitted + k.dropped_ringbuf, static_cast<uint64_t>(kOpens) + 1);
  auto metrics = format_metrics(sensor_->stats(), sensor_->attached());
  EXPECT_NE(metrics.find("castellan_sensor_events_dropped_total{reason=\"ringbuf_full\"} " +
                         std::to_string(k.dropped_ringbuf)),
            std::string::npos);
  EXPECT_EQ(sensor_->attached(), (std::vector<std::string>{"sched_process_exit", "sys_enter_openat",
                                                           "sys_enter_openat2"}));

  // Drain what the flood left, then check that new events still arrive.
  for (int i = 0; i < 100 && sensor_->stats().user.records < k.submitted; ++i) {
    ASSERT_TRUE(sensor_->drain(100).ok());
  }
  EXPECT_EQ(sensor_->stats().user.records, k.submitted);
  sensor_->start();
  pid_t after = spawn_in(in_.path, [&] {
    close(open((watched_ + "/after-flood").c_str(), O_WRONLY | O_CREAT, 0644));
    return 0;
  });
  ASSERT_EQ(wait_status(after), 0);
  EXPECT_TRUE(sink_.wait_for([&](const Alert& a) {
    return a.file && a.file->path == watched_ + "/after-flood";
  }));
  EXPECT_EQ(sensor_->stats().user.decode_errors, 0u);
}

}  // namespace
}  // namespace castellan::sensor
