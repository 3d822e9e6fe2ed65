#pragma once
// castellan-manager's flags, parsed without side effects so they can be tested.

#include <string>
#include <vector>

#include "common/result.h"

namespace castellan::manager {

struct ManagerOptions {
  bool help = false;
  bool standalone = false;
  std::string policies_dir;
  std::string bind_address = "0.0.0.0";
  int webhook_port = 9443;
  std::string tls_cert;
  std::string tls_key;
  std::string cert_dir;  // where a generated certificate goes; default below
  int threads = 2;
  int max_connections = 1024;
  int reload_interval_ms = 1000;
  int drain_timeout_s = 25;
  std::string log_level = "info";
  bool log_json = true;
};

extern const char* const kHelp;

// Errors name the flag and what is wrong with it; the caller exits 2.
Result<ManagerOptions> parse_manager_options(const std::vector<std::string>& args);

}  // namespace castellan::manager
