#pragma once
// Starts child processes that die with the test process (PR_SET_PDEATHSIG), whatever thread asks.

#include <sys/types.h>

#include <string>
#include <vector>

#include "common/result.h"

namespace castellan::e2e {

struct SpawnRequest {
  std::vector<std::string> argv;  // argv[0] is looked up on PATH
  // "NAME=value" entries added to (or replacing those of) the current environment.
  std::vector<std::string> env;
  int stdin_fd = -1;  // -1: /dev/null
  int stdout_fd = -1;
  int stderr_fd = -1;
  bool new_process_group = true;
};

// Forks and execs on one long-lived thread: the kernel sends PR_SET_PDEATHSIG when the forking
// *thread* exits, so a child started from a short-lived test thread would otherwise be killed.
// Returns the pid, or an error naming the program when it cannot be executed.
Result<pid_t> spawn_process(const SpawnRequest& request);

// Waits for a child and returns its exit code, or 128 + signal number if a signal ended it.
int wait_for_exit(pid_t pid);

}  // namespace castellan::e2e
