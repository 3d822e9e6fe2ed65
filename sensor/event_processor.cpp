#include "sensor/event_processor.h"

#include <time.h>

#include "api/security_policy.h"
#include "sensor/abi/kernel_types.h"
#include "sensor/alert_formatter.h"
#include "sensor/cidr.h"
#include "sensor/container_cgroup.h"
#include "sensor/path_prefix.h"
#include "sensor/rule_evaluator.h"

namespace castellan::sensor {

EventProcessor::EventProcessor(CompiledRuleset ruleset, ProcessorOptions options)
    : ruleset_(std::move(ruleset)),
      options_(std::move(options)),
      decoder_(EventDecoder::with_sensor_events()),
      processes_(options_.process_capacity),
      cgroup_paths_(options_.cgroup_capacity) {}

int64_t EventProcessor::boot_to_unix_offset() {
  timespec real{}, boot{};
  clock_gettime(CLOCK_REALTIME, &real);
  clock_gettime(CLOCK_BOOTTIME, &boot);
  return (int64_t{real.tv_sec} - boot.tv_sec) * 1000000000LL + (real.tv_nsec - boot.tv_nsec);
}

void EventProcessor::process(std::span<const std::byte> record, std::vector<Alert>& out) {
  records_.fetch_add(1, std::memory_order_relaxed);
  auto decoded = decoder_.decode(record);
  if (!decoded.ok()) {
    decode_errors_.fetch_add(1, std::memory_order_relaxed);
    std::lock_guard lock(error_mutex_);
    last_error_ = decoded.error().message;
    return;
  }
  const Event& event = *decoded;
  if (const auto* exec = std::get_if<ExecEvent>(&event.body)) {
    processes_.on_exec(event.header.pid, ProcessEntry{exec->exe, exec->args});
  } else if (std::holds_alternative<ExitEvent>(event.body)) {
    processes_.on_exit(event.header.pid);
    return;
  }
  auto matched = evaluate(event, ruleset_);
  if (matched.empty()) {
    unmatched_.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  for (const auto* rule : matched) out.push_back(make_alert(event, *rule));
  alerts_.fetch_add(matched.size(), std::memory_order_relaxed);
  if (event.header.flags & CASTELLAN_FLAG_KILLED) killed_.fetch_add(1, std::memory_order_relaxed);
}

Alert EventProcessor::make_alert(const Event& event, const CompiledRule& rule) {
  const EventHeader& h = event.header;
  Alert alert;
  alert.time_ns = static_cast<uint64_t>(static_cast<int64_t>(h.timestamp_ns) + options_.boot_to_unix_ns);
  alert.policy = rule.policy;
  alert.rule = rule.name;
  bool killed = (h.flags & CASTELLAN_FLAG_KILLED) && rule.action == api::RuntimeAction::Kill;
  alert.action = killed ? "Kill" : "Alert";
  alert.node = options_.node;
  alert.process.pid = h.pid;
  alert.process.ppid = h.ppid;
  alert.process.uid = h.uid;
  alert.process.comm = h.comm;
  ProcessEntry entry = processes_.lookup(h.pid);
  alert.process.exe = entry.exe;
  alert.process.args = entry.args;
  alert.cgroup_id = h.cgroup_id;
  if (auto* path = cgroup_paths_.get(h.cgroup_id)) {
    alert.cgroup_path = *path;
  } else if (options_.cgroup_path) {
    alert.cgroup_path = options_.cgroup_path(h.cgroup_id);
    cgroup_paths_.put(h.cgroup_id, alert.cgroup_path);
  }
  if (auto known = options_.containers ? options_.containers->find(h.cgroup_id) : std::nullopt) {
    alert.container_id = known->container_id;
    alert.container_name = known->container_name;
    alert.pod = Alert::Pod{known->pod_namespace, known->pod_name, known->pod_uid};
  } else if (auto container = container_id_from_cgroup(alert.cgroup_path)) {
    alert.container_id = *container;
  }
  if (const auto* file = std::get_if<FileOpenEvent>(&event.body)) {
    alert.file = Alert::File{normalize_path(file->path), open_flag_names(file->open_flags)};
  } else if (const auto* connect = std::get_if<ConnectEvent>(&event.body)) {
    alert.connect = Alert::Connect{connect->family == 4 ? "ipv4" : "ipv6",
                                   format_address(connect->family, connect->addr.data()),
                                   connect->port};
  }
  return alert;
}

std::string EventProcessor::last_error() const {
  std::lock_guard lock(error_mutex_);
  return last_error_;
}

ProcessorStats EventProcessor::stats() const {
  return ProcessorStats{records_.load(), decode_errors_.load(), alerts_.load(), killed_.load(),
                        unmatched_.load()};
}

}  // namespace castellan::sensor
