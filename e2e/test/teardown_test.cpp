#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "e2e/control_plane.h"
#include "e2e/process_spawner.h"

namespace castellan::e2e {
namespace {

// A zombie counts as gone: it runs nothing and holds no port.
bool process_alive(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string content;
  if (!std::getline(stat, content)) return false;
  const auto paren = content.rfind(')');
  if (paren == std::string::npos || paren + 2 >= content.size()) return false;
  const char state = content[paren + 2];
  return state != 'Z' && state != 'X';
}

// Waits (as a hang guard, not a performance bound) for a process to disappear.
bool eventually_gone(pid_t pid) {
  for (int i = 0; i < 600; ++i) {
    if (!process_alive(pid)) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return false;
}

struct Holder {
  pid_t pid = -1;
  pid_t etcd = -1;
  pid_t apiserver = -1;
  std::string directory;
};

// Starts the holder binary and reads its READY line.
Holder start_holder() {
  Holder holder;
  int fds[2];
  if (pipe(fds) != 0) return holder;
  auto pid = spawn_process(SpawnRequest{{CONTROL_PLANE_HOLDER}, {}, -1, fds[1], STDERR_FILENO,
                                        true});
  close(fds[1]);
  if (!pid.ok()) {
    close(fds[0]);
    return holder;
  }
  holder.pid = *pid;
  std::string line;
  char c;
  while (read(fds[0], &c, 1) == 1 && c != '\n') line += c;
  close(fds[0]);
  std::istringstream in(line);
  std::string word;
  in >> word >> holder.etcd >> holder.apiserver >> holder.directory;
  if (word != "READY") holder.etcd = holder.apiserver = -1;
  return holder;
}

ControlPlaneOptions without_crds() {
  ControlPlaneOptions options;
  options.crd_dir.clear();
  return options;
}

// Verifies that stop() ends etcd and kube-apiserver and removes the directory, and is idempotent.
TEST(TeardownTest, StopLeavesNoProcessAndNoDirectory) {
  auto plane = ControlPlane::start(without_crds());
  ASSERT_TRUE(plane.ok()) << plane.error().message;
  const pid_t etcd = (*plane)->etcd_pid();
  const pid_t apiserver = (*plane)->apiserver_pid();
  const std::string directory = (*plane)->directory();
  ASSERT_TRUE(process_alive(etcd));
  ASSERT_TRUE(process_alive(apiserver));
  ASSERT_TRUE(std::filesystem::exists(directory + "/kubeconfig"));

  (*plane)->stop();
  EXPECT_FALSE(process_alive(etcd));
  EXPECT_FALSE(process_alive(apiserver));
  EXPECT_FALSE(std::filesystem::exists(directory));
  (*plane)->stop();
  EXPECT_EQ((*plane)->apiserver_pid(), -1);
}

// Verifies that destroying the ControlPlane tears it down without an explicit stop().
TEST(TeardownTest, DestructorTearsDown) {
  pid_t etcd = -1, apiserver = -1;
  std::string directory;
  {
    auto plane = ControlPlane::start(without_crds());
    ASSERT_TRUE(plane.ok()) << plane.error().message;
    etcd = (*plane)->etcd_pid();
    apiserver = (*plane)->apiserver_pid();
    directory = (*plane)->directory();
  }
  EXPECT_FALSE(process_alive(etcd));
  EXPECT_FALSE(process_alive(apiserver));
  EXPECT_FALSE(std::filesystem::exists(directory));
}

// Verifies that SIGINT (Ctrl-C) to a process holding a control plane cleans everything up.
TEST(TeardownTest, SigintCleansUp) {
  Holder holder = start_holder();
  ASSERT_GT(holder.pid, 0);
  ASSERT_GT(holder.apiserver, 0) << "the holder did not print READY";
  ASSERT_TRUE(std::filesystem::exists(holder.directory));

  kill(holder.pid, SIGINT);
  EXPECT_EQ(wait_for_exit(holder.pid), 128 + SIGINT);
  EXPECT_FALSE(process_alive(holder.etcd));
  EXPECT_FALSE(process_alive(holder.apiserver));
  EXPECT_FALSE(std::filesystem::exists(holder.directory));
}

// Verifies that when the holder is SIGKILLed (no cleanup code runs) its children still die.
TEST(TeardownTest, SigkillStillEndsChildren) {
  Holder holder = start_holder();
  ASSERT_GT(holder.pid, 0);
  ASSERT_GT(holder.apiserver, 0) << "the holder did not print READY";

  kill(holder.pid, SIGKILL);
  EXPECT_EQ(wait_for_exit(holder.pid), 128 + SIGKILL);
  EXPECT_TRUE(eventually_gone(holder.etcd));
  EXPECT_TRUE(eventually_gone(holder.apiserver));
  std::filesystem::remove_all(holder.directory);
}

// Verifies that a kube-apiserver path that does not exist gives an error naming it.
TEST(TeardownTest, MissingApiserverBinaryIsAPreciseError) {
  ControlPlaneOptions options = without_crds();
  options.kube_apiserver = "/nonexistent/kube-apiserver";
  auto plane = ControlPlane::start(options);
  ASSERT_FALSE(plane.ok());
  EXPECT_NE(plane.error().message.find("/nonexistent/kube-apiserver"), std::string::npos)
      << plane.error().message;
}

// Verifies that an API server that exits at startup is reported with its log, leaving nothing.
TEST(TeardownTest, ApiserverStartupFailureQuotesItsLog) {
  ControlPlaneOptions options = without_crds();
  options.extra_apiserver_args = {"--castellan-no-such-flag"};
  auto plane = ControlPlane::start(options);
  ASSERT_FALSE(plane.ok());
  EXPECT_NE(plane.error().message.find("exited during startup"), std::string::npos)
      << plane.error().message;
  EXPECT_NE(plane.error().message.find("castellan-no-such-flag"), std::string::npos)
      << plane.error().message;
}

// Verifies that a CRD directory with an invalid CRD fails start() with kubectl's reason.
TEST(TeardownTest, InvalidCrdIsReported) {
  const auto dir = std::filesystem::temp_directory_path() / ("castellan-bad-crd-" +
                                                             std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "bad.yaml") << "apiVersion: apiextensions.k8s.io/v1\n"
                                     "kind: CustomResourceDefinition\n"
                                     "metadata:\n  name: wrong.example.com\n"
                                     "spec:\n  group: example.com\n";
  ControlPlaneOptions options;
  options.crd_dir = dir.string();
  auto plane = ControlPlane::start(options);
  std::filesystem::remove_all(dir);
  ASSERT_FALSE(plane.ok());
  EXPECT_NE(plane.error().message.find("kubectl apply"), std::string::npos)
      << plane.error().message;
  EXPECT_NE(plane.error().message.find("bad.yaml"), std::string::npos) << plane.error().message;
}

}  // namespace
}  // namespace castellan::e2e
