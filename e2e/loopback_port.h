#pragma once

#include "common/result.h"

namespace castellan::e2e {

// A TCP port on 127.0.0.1 that was free a moment ago (the kernel picks it).
Result<int> free_loopback_port();

}  // namespace castellan::e2e
