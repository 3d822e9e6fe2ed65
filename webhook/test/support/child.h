#pragma once
// Runs a binary under test as a child process, reading its stdout line by line.

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace castellan::webhook::testing {

class Child {
 public:
  // stderr goes to `stderr_file` (empty: inherited).
  Child(const std::vector<std::string>& argv, const std::string& stderr_file = {});
  ~Child();

  // The next stdout line, or nullopt at EOF or after `deadline`.
  std::optional<std::string> read_line(std::chrono::seconds deadline = std::chrono::seconds(30));
  // Sends `signal` and waits for the exit code (128+n when killed by a signal).
  int stop(int signal);
  // Waits for the child to exit on its own.
  int wait();
  pid_t pid() const { return pid_; }

 private:
  pid_t pid_ = -1;
  int out_fd_ = -1;
  std::string pending_;
  int exit_code_ = -1;
};

}  // namespace castellan::webhook::testing
