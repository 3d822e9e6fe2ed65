#pragma once
// Event: one decoded ring buffer record.

#include <array>
#include <cstdint>
#include <string>
#include <variant>
#include <vector>

namespace castellan::sensor {

struct EventHeader {
  uint32_t type = 0;
  uint64_t timestamp_ns = 0;  // boot time
  uint64_t cgroup_id = 0;
  uint64_t rule_mask = 0;
  uint32_t pid = 0;
  uint32_t tid = 0;
  uint32_t ppid = 0;
  uint32_t uid = 0;
  uint32_t flags = 0;
  std::string comm;
};

struct ExecEvent {
  std::string exe;
  std::vector<std::string> args;
};

struct FileOpenEvent {
  std::string path;
  uint64_t open_flags = 0;
  int32_t dirfd = 0;
};

struct ConnectEvent {
  int family = 4;  // 4 or 6
  std::array<uint8_t, 16> addr{};
  uint16_t port = 0;
};

struct ExitEvent {
  int32_t exit_code = 0;
};

struct Event {
  EventHeader header;
  std::variant<ExecEvent, FileOpenEvent, ConnectEvent, ExitEvent> body;
};

}  // namespace castellan::sensor
