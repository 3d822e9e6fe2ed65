#pragma once
// ContainerIndex: container id → cgroup, found by walking the cgroup v2 tree once, for
// mapping a Pod's containerStatuses[].containerID to the cgroup ids the kernel sees.
// Works for the cgroupfs and systemd drivers and the containerd, CRI-O and Docker names
// (see container_cgroup.h).

#include <map>
#include <optional>
#include <string>

#include "common/result.h"
#include "sensor/cgroup.h"

namespace castellan::sensor {

class ContainerIndex {
 public:
  // Walks `root` (a directory under the cgroup2 `mount`), at most max_depth levels deep and
  // max_entries containers; a walk that hits a bound says so in the error.
  static Result<ContainerIndex> scan(const std::string& mount, const std::string& root,
                                     int max_depth = 8, size_t max_entries = 65536);

  std::optional<CgroupInfo> find(const std::string& container_id) const;
  size_t size() const { return by_id_.size(); }

 private:
  std::map<std::string, CgroupInfo> by_id_;
};

}  // namespace castellan::sensor
