#include "sensor/event_decoder.h"

#include <cstring>
#include <string>

#include "sensor/abi/kernel_types.h"

namespace castellan::sensor {
namespace {

template <typename T>
T read_record(std::span<const std::byte> record) {
  T value;
  std::memcpy(&value, record.data(), sizeof(T));
  return value;
}

// A string from a fixed buffer: up to the first NUL or `len`, whichever comes first.
std::string bounded_string(const char* data, size_t capacity, size_t len) {
  size_t n = std::min(len, capacity);
  return std::string(data, strnlen(data, n));
}

EventHeader decode_header(const castellan_event_header& raw) {
  EventHeader h;
  h.type = raw.type;
  h.timestamp_ns = raw.timestamp_ns;
  h.cgroup_id = raw.cgroup_id;
  h.rule_mask = raw.rule_mask;
  h.pid = raw.pid;
  h.tid = raw.tid;
  h.ppid = raw.ppid;
  h.uid = raw.uid;
  h.flags = raw.flags;
  h.comm = bounded_string(raw.comm, sizeof(raw.comm), sizeof(raw.comm));
  return h;
}

std::vector<std::string> split_args(const char* data, size_t len) {
  std::vector<std::string> args;
  size_t start = 0;
  for (size_t i = 0; i < len; ++i) {
    if (data[i] == '\0') {
      args.emplace_back(data + start, i - start);
      start = i + 1;
    }
  }
  if (start < len) args.emplace_back(data + start, len - start);  // cut by the bound
  return args;
}

Result<Event> decode_exec(std::span<const std::byte> record) {
  auto raw = read_record<castellan_exec_event>(record);
  Event event{decode_header(raw.hdr), ExecEvent{}};
  auto& exec = std::get<ExecEvent>(event.body);
  exec.exe = bounded_string(raw.exe, sizeof(raw.exe), raw.exe_len);
  exec.args = split_args(raw.args, std::min<size_t>(raw.args_len, sizeof(raw.args)));
  return event;
}

Result<Event> decode_file_open(std::span<const std::byte> record) {
  auto raw = read_record<castellan_file_open_event>(record);
  Event event{decode_header(raw.hdr), FileOpenEvent{}};
  auto& file = std::get<FileOpenEvent>(event.body);
  file.path = bounded_string(raw.path, sizeof(raw.path), raw.path_len);
  file.open_flags = raw.open_flags;
  file.dirfd = raw.dirfd;
  return event;
}

Result<Event> decode_connect(std::span<const std::byte> record) {
  auto raw = read_record<castellan_connect_event>(record);
  if (raw.family != 2 && raw.family != 10) {
    return Error::make("connect record has address family " + std::to_string(raw.family) +
                       ", expected AF_INET or AF_INET6", "Invalid");
  }
  Event event{decode_header(raw.hdr), ConnectEvent{}};
  auto& connect = std::get<ConnectEvent>(event.body);
  connect.family = raw.family == 2 ? 4 : 6;
  std::memcpy(connect.addr.data(), raw.addr, sizeof(raw.addr));
  connect.port = raw.port;
  return event;
}

Result<Event> decode_exit(std::span<const std::byte> record) {
  auto raw = read_record<castellan_exit_event>(record);
  return Event{decode_header(raw.hdr), ExitEvent{raw.exit_code}};
}

}  // namespace

void EventDecoder::add(uint32_t type, size_t min_size, DecodeFn decode) {
  decoders_[type] = Entry{min_size, std::move(decode)};
}

Result<Event> EventDecoder::decode(std::span<const std::byte> record) const {
  if (record.size() < sizeof(castellan_event_header)) {
    return Error::make("record of " + std::to_string(record.size()) +
                       " bytes is shorter than an event header", "Invalid");
  }
  auto header = read_record<castellan_event_header>(record);
  auto it = decoders_.find(header.type);
  if (it == decoders_.end()) {
    return Error::make("record has unknown event type " + std::to_string(header.type), "Invalid");
  }
  if (record.size() < it->second.min_size || header.size < it->second.min_size ||
      header.size > record.size()) {
    return Error::make("record of type " + std::to_string(header.type) + " has " +
                       std::to_string(record.size()) + " bytes (header says " +
                       std::to_string(header.size) + "), expected " +
                       std::to_string(it->second.min_size), "Invalid");
  }
  return it->second.decode(record);
}

EventDecoder EventDecoder::with_sensor_events() {
  EventDecoder decoder;
  decoder.add(CASTELLAN_EVENT_EXEC, sizeof(castellan_exec_event), decode_exec);
  decoder.add(CASTELLAN_EVENT_FILE_OPEN, sizeof(castellan_file_open_event), decode_file_open);
  decoder.add(CASTELLAN_EVENT_CONNECT, sizeof(castellan_connect_event), decode_connect);
  decoder.add(CASTELLAN_EVENT_EXIT, sizeof(castellan_exit_event), decode_exit);
  return decoder;
}

}  // namespace castellan::sensor
