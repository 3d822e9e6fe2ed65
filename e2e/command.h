#pragma once
// Runs a program to completion and captures what it printed (kubectl, curl).

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace castellan::e2e {

struct CommandResult {
  int exit_code = -1;  // 128 + signal number if a signal ended it
  std::string out;     // stdout
  std::string err;     // stderr

  bool ok() const { return exit_code == 0; }
};

struct CommandOptions {
  std::string input;                  // written to stdin, which is then closed
  std::vector<std::string> env;       // "NAME=value" added to the current environment
  std::chrono::seconds timeout{120};  // the program is killed after this long
  bool inherit_stderr = false;        // let stderr through (progress of a long build)
};

// Fails only when the program cannot be started; a non-zero exit is a result, not an error.
Result<CommandResult> run_command(const std::vector<std::string>& argv,
                                  const CommandOptions& options = {});

}  // namespace castellan::e2e
