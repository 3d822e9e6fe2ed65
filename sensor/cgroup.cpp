#include "sensor/cgroup.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <sstream>

namespace castellan::sensor {

Result<std::string> find_cgroup2_mount() {
  std::ifstream mounts("/proc/mounts");
  std::string line;
  while (std::getline(mounts, line)) {
    std::istringstream fields(line);
    std::string device, target, type;
    fields >> device >> target >> type;
    if (type == "cgroup2") return target;
  }
  return Error::make("no cgroup2 filesystem is mounted (looked in /proc/mounts)", "NotFound");
}

Result<CgroupInfo> cgroup_info(const std::string& cgroup2_mount, const std::string& path) {
  std::string absolute = path;
  if (absolute.empty() || absolute[0] != '/') absolute = cgroup2_mount + "/" + path;
  while (absolute.size() > 1 && absolute.back() == '/') absolute.pop_back();
  if (absolute.compare(0, cgroup2_mount.size(), cgroup2_mount) != 0 ||
      (absolute.size() > cgroup2_mount.size() && absolute[cgroup2_mount.size()] != '/')) {
    return Error::make("cgroup " + path + " is not under the cgroup v2 mount " + cgroup2_mount,
                       "Invalid");
  }
  struct stat st {};
  if (stat(absolute.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    return Error::make("cgroup " + absolute + " does not exist: " + std::strerror(errno),
                       "NotFound");
  }
  CgroupInfo info;
  info.id = st.st_ino;
  info.path = absolute;
  for (size_t i = cgroup2_mount.size(); i < absolute.size(); ++i) {
    if (absolute[i] == '/' && i + 1 < absolute.size() && absolute[i + 1] != '/') ++info.level;
  }
  return info;
}

std::string cgroup_path_of(const std::string& cgroup2_mount, uint64_t id) {
  int mount_fd = open(cgroup2_mount.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (mount_fd < 0) return {};
  struct {
    struct file_handle handle;
    uint64_t id;
  } fh{};
  fh.handle.handle_bytes = sizeof(uint64_t);
  fh.handle.handle_type = 0xfe;  // FILEID_KERNFS
  std::memcpy(fh.handle.f_handle, &id, sizeof(id));
  int fd = open_by_handle_at(mount_fd, &fh.handle, O_RDONLY | O_CLOEXEC);
  close(mount_fd);
  if (fd < 0) return {};
  char path[4096];
  ssize_t n = readlink(("/proc/self/fd/" + std::to_string(fd)).c_str(), path, sizeof(path) - 1);
  close(fd);
  return n > 0 ? std::string(path, static_cast<size_t>(n)) : std::string();
}

}  // namespace castellan::sensor
