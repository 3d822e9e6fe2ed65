#include "sensor/tracefs.h"

#include <sys/mount.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace castellan::sensor {

Status ensure_tracefs() {
  if (access("/sys/kernel/tracing/events", F_OK) == 0 ||
      access("/sys/kernel/debug/tracing/events", F_OK) == 0) {
    return Status::Ok();
  }
  if (mount("tracefs", "/sys/kernel/tracing", "tracefs", 0, nullptr) != 0) {
    return Error::make(std::string("tracefs is not mounted and mounting it at /sys/kernel/tracing "
                                   "failed: ") + std::strerror(errno) +
                       " (mount it, or give the sensor CAP_SYS_ADMIN)", "Unavailable");
  }
  return Status::Ok();
}

}  // namespace castellan::sensor
