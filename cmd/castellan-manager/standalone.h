#pragma once
// Standalone mode: the webhook server over a policy directory, with no cluster.

#include "manager_options.h"

namespace castellan::manager {

// Runs until SIGTERM or SIGINT; returns the process exit code (0, or 1 when it cannot start).
int run_standalone(const ManagerOptions& options);

}  // namespace castellan::manager
