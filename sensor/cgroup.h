#pragma once
// cgroup v2 helpers: where the unified hierarchy is mounted, and ids, levels and paths of its
// cgroups (an id is the cgroup directory's inode number).

#include <cstdint>
#include <string>

#include "common/result.h"

namespace castellan::sensor {

// /sys/fs/cgroup/unified on hybrid hosts, /sys/fs/cgroup on pure v2 hosts (from /proc/mounts).
Result<std::string> find_cgroup2_mount();

struct CgroupInfo {
  uint64_t id = 0;
  uint32_t level = 0;  // 0 is the root
  std::string path;    // absolute, under the cgroup2 mount
};

// Describes the cgroup at `path` (absolute, or relative to the cgroup2 mount).
Result<CgroupInfo> cgroup_info(const std::string& cgroup2_mount, const std::string& path);

// The path of the cgroup with `id`, found by file handle; empty when it no longer exists.
std::string cgroup_path_of(const std::string& cgroup2_mount, uint64_t id);

}  // namespace castellan::sensor
