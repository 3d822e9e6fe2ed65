#pragma once
// A long-running child (etcd, kube-apiserver): output to a log file, stopped on destruction,
// killed on SIGINT/SIGTERM of this process and when this process dies.

#include <sys/types.h>

#include <chrono>
#include <string>
#include <vector>

#include "common/result.h"

namespace castellan::e2e {

class ChildProcess {
 public:
  // Appends the child's stdout and stderr to log_file.
  static Result<ChildProcess> start(const std::vector<std::string>& argv,
                                    const std::string& log_file);

  ChildProcess(ChildProcess&& other) noexcept;
  ChildProcess& operator=(ChildProcess&& other) noexcept;
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;
  ~ChildProcess();

  pid_t pid() const { return pid_; }
  // False once it has exited (it is then reaped).
  bool running();
  // SIGTERM, then SIGKILL after the grace period. Returns the exit code (see wait_for_exit),
  // or -1 when there was nothing to stop.
  int stop(std::chrono::milliseconds grace = std::chrono::seconds(15));

 private:
  explicit ChildProcess(pid_t pid) : pid_(pid) {}
  void forget();

  pid_t pid_ = -1;
  int exit_code_ = -1;
};

}  // namespace castellan::e2e
