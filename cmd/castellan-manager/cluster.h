#pragma once

#include "manager_options.h"

namespace castellan::manager {

// Runs the controller and the webhook server against a cluster until SIGTERM or SIGINT.
// Returns the process exit code.
int run_cluster(const ManagerOptions& options);

}  // namespace castellan::manager
