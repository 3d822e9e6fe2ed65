#pragma once
// Tracepoint programs attach through tracefs; a bare host or container may not mount it.

#include "common/result.h"

namespace castellan::sensor {

// Mounts tracefs at /sys/kernel/tracing unless tracefs or debugfs already offers the events.
Status ensure_tracefs();

}  // namespace castellan::sensor
