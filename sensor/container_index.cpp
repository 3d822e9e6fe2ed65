#include "sensor/container_index.h"

#include <filesystem>
#include <system_error>

#include "sensor/container_cgroup.h"

namespace castellan::sensor {

Result<ContainerIndex> ContainerIndex::scan(const std::string& mount, const std::string& root,
                                            int max_depth, size_t max_entries) {
  namespace fs = std::filesystem;
  ContainerIndex index;
  std::error_code ec;
  fs::recursive_directory_iterator it(root, fs::directory_options::skip_permission_denied, ec);
  if (ec) return Error::make("cannot walk cgroups under " + root + ": " + ec.message(), "NotFound");
  for (; it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (ec) return Error::make("walking cgroups under " + root + " failed: " + ec.message());
    if (!it->is_directory(ec)) continue;
    if (it.depth() >= max_depth) it.disable_recursion_pending();
    auto id = container_id_from_cgroup(it->path().string());
    if (!id) continue;
    it.disable_recursion_pending();  // a container's own sub-cgroups belong to it
    auto info = cgroup_info(mount, it->path().string());
    if (!info.ok()) continue;  // removed while walking
    if (index.by_id_.size() >= max_entries) {
      return Error::make("more than " + std::to_string(max_entries) + " container cgroups under " +
                         root, "LimitExceeded");
    }
    index.by_id_[*id] = *info;
  }
  return index;
}

std::optional<CgroupInfo> ContainerIndex::find(const std::string& container_id) const {
  auto it = by_id_.find(container_id);
  if (it == by_id_.end()) return std::nullopt;
  return it->second;
}

}  // namespace castellan::sensor
