#pragma once
// Kills registered children and removes registered directories when SIGINT or SIGTERM arrives,
// then lets the signal end the process as it would have.

#include <sys/types.h>

#include <string>

namespace castellan::e2e {

class InterruptCleanup {
 public:
  // Installs the SIGINT/SIGTERM handlers on first use. Returns false when the table is full.
  static bool add_process(pid_t pid);
  static void remove_process(pid_t pid);
  static bool add_directory(const std::string& path);
  static void remove_directory(const std::string& path);
};

}  // namespace castellan::e2e
