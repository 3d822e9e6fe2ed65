#pragma once
// Alert → one JSON line (no trailing newline), the shape documented in issue 6:
// {"time":…,"policy":…,"rule":…,"action":…,"node":…,"process":{…},"cgroup":{…},
//  "container":{…},"pod":{…},"file":{…},"connect":{…}}. Pure and allocation-light, since it
// runs once per delivered event.

#include <cstdint>
#include <string>
#include <vector>

#include "sensor/alert.h"

namespace castellan::sensor {

std::string format_alert_json(const Alert& alert);

// "2026-01-01T00:00:00.000000Z" (UTC, microseconds).
std::string format_time(uint64_t unix_ns);

// Names of the O_* flags an open carried, access mode first ("O_WRONLY", "O_CREAT", …).
std::vector<std::string> open_flag_names(uint64_t flags);

}  // namespace castellan::sensor
