#pragma once
// Helpers for the bpf tests: cgroup v2 children made per test, workloads forked into them,
// and a sink that collects alerts.

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "sensor/alert_sink.h"
#include "sensor/cgroup.h"

namespace castellan::sensor::testing {

// A cgroup v2 directory per test, removed with its children at the end.
class CgroupSandbox {
 public:
  CgroupSandbox() {
    auto mount = find_cgroup2_mount();
    if (!mount.ok()) return;
    mount_ = *mount;
    root_ = mount_ + "/castellan-test-" + std::to_string(getpid());
    if (mkdir(root_.c_str(), 0755) != 0 && errno != EEXIST) root_.clear();
  }
  ~CgroupSandbox() {
    for (auto it = children_.rbegin(); it != children_.rend(); ++it) rmdir(it->c_str());
    if (!root_.empty()) rmdir(root_.c_str());
  }
  bool ok() const { return !root_.empty(); }
  const std::string& mount() const { return mount_; }

  CgroupInfo make(const std::string& name) {
    std::string path = root_ + "/" + name;
    mkdir(path.c_str(), 0755);
    children_.push_back(path);
    auto info = cgroup_info(mount_, path);
    return info.ok() ? *info : CgroupInfo{};
  }

 private:
  std::string mount_, root_;
  std::vector<std::string> children_;
};

// Forks; the child moves itself into `cgroup` and exits with body()'s result.
inline pid_t spawn_in(const std::string& cgroup, const std::function<int()>& body) {
  pid_t pid = fork();
  if (pid != 0) return pid;
  int fd = open((cgroup + "/cgroup.procs").c_str(), O_WRONLY);
  if (fd < 0 || write(fd, "0", 1) != 1) _exit(120);
  close(fd);
  _exit(body());
}

inline int wait_status(pid_t pid) {
  int status = 0;
  waitpid(pid, &status, 0);
  return status;
}

// Runs `sh -c script` inside `cgroup`; returns the wait status.
inline int run_shell_in(const std::string& cgroup, const std::string& script, pid_t* pid_out = nullptr) {
  pid_t pid = spawn_in(cgroup, [&] {
    execl("/bin/sh", "sh", "-c", script.c_str(), static_cast<char*>(nullptr));
    return 121;
  });
  if (pid_out) *pid_out = pid;
  return wait_status(pid);
}

class CollectingSink : public AlertSink {
 public:
  void emit(const Alert& alert) override {
    std::lock_guard lock(mutex_);
    alerts_.push_back(alert);
    changed_.notify_all();
  }

  std::vector<Alert> alerts() {
    std::lock_guard lock(mutex_);
    return alerts_;
  }

  // Waits until some alert satisfies pred; false if none did within a generous deadline.
  bool wait_for(const std::function<bool(const Alert&)>& pred) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, std::chrono::seconds(20), [&] {
      for (const auto& a : alerts_) {
        if (pred(a)) return true;
      }
      return false;
    });
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<Alert> alerts_;
};

}  // namespace castellan::sensor::testing
