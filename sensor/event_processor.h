#pragma once
// EventProcessor: one ring buffer record → the alerts it raises. Decodes, evaluates, keeps the
// process and cgroup tables, and enriches alerts. No BPF here, so it is tested with records
// built in memory.

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <vector>

#include "sensor/alert.h"
#include "sensor/bounded_lru.h"
#include "sensor/container_table.h"
#include "sensor/event_decoder.h"
#include "sensor/process_table.h"
#include "sensor/ruleset.h"

namespace castellan::sensor {

struct ProcessorOptions {
  std::string node;
  size_t process_capacity = 16384;
  size_t cgroup_capacity = 4096;
  int64_t boot_to_unix_ns = 0;  // added to the kernel's boot-time stamps
  // cgroup id → path; empty when unknown.
  std::function<std::string(uint64_t)> cgroup_path;
  // Containers and Pods by cgroup id (node mode); null when unknown.
  std::shared_ptr<ContainerTable> containers;
};

struct ProcessorStats {
  uint64_t records = 0;
  uint64_t decode_errors = 0;
  uint64_t alerts = 0;
  uint64_t killed = 0;
  uint64_t unmatched = 0;  // delivered but no rule matched after the final check
};

class EventProcessor {
 public:
  EventProcessor(CompiledRuleset ruleset, ProcessorOptions options);

  // Appends the alerts `record` raises to `out`.
  void process(std::span<const std::byte> record, std::vector<Alert>& out);

  ProcessorStats stats() const;
  std::string last_error() const;
  const CompiledRuleset& ruleset() const { return ruleset_; }
  size_t processes_tracked() const { return processes_.size(); }

  // Wall-clock minus boot-clock now, for ProcessorOptions::boot_to_unix_ns.
  static int64_t boot_to_unix_offset();

 private:
  Alert make_alert(const Event& event, const CompiledRule& rule);

  CompiledRuleset ruleset_;
  ProcessorOptions options_;
  EventDecoder decoder_;
  ProcessTable processes_;
  BoundedLru<uint64_t, std::string> cgroup_paths_;
  mutable std::mutex error_mutex_;
  std::string last_error_;
  // Read by the metrics thread while the consumer writes.
  std::atomic<uint64_t> records_{0}, decode_errors_{0}, alerts_{0}, killed_{0}, unmatched_{0};
};

}  // namespace castellan::sensor
