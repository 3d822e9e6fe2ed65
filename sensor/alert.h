#pragma once
// Alert: one rule violated by one event, as printed and reported.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace castellan::sensor {

struct Alert {
  struct Process {
    uint32_t pid = 0;
    uint32_t ppid = 0;
    uint32_t uid = 0;
    std::string comm;
    std::string exe;
    std::vector<std::string> args;
  };
  struct Pod {
    std::string namespace_;
    std::string name;
    std::string uid;  // for the Event's involvedObject; not printed
  };
  struct File {
    std::string path;
    std::vector<std::string> flags;
  };
  struct Connect {
    std::string family;  // ipv4 | ipv6
    std::string addr;
    uint16_t port = 0;
  };

  uint64_t time_ns = 0;  // Unix epoch
  std::string policy;
  std::string rule;
  std::string action;  // Alert | Kill (Kill only when the kernel killed the process)
  std::string node;
  Process process;
  uint64_t cgroup_id = 0;
  std::string cgroup_path;
  std::optional<std::string> container_id;
  std::string container_name;  // the Pod's name for the container, when known; not printed
  std::optional<Pod> pod;
  std::optional<File> file;
  std::optional<Connect> connect;
};

}  // namespace castellan::sensor
