#pragma once
// SensorProgram: the loaded BPF side. open → set tunables → load → fill maps → attach, with
// errors that name the program and keep the verifier log; detaches when destroyed.
// Programs for event kinds that no rule uses are neither loaded nor attached.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "common/result.h"
#include "sensor/cgroup.h"
#include "sensor/ruleset.h"

struct castellan_sensor;
struct ring_buffer;

namespace castellan::sensor {

// Which processes the rules apply to.
struct Scope {
  bool all = false;                // every process but the sensor's own
  std::vector<CgroupInfo> roots;   // else these cgroups and their subtrees
};

struct ProgramOptions {
  uint32_t ringbuf_bytes = 8u << 20;  // a power of two, at least one page
  uint32_t wakeup_bytes = 64u << 10;  // below this much waiting data the consumer is not woken
  uint32_t sensor_tgid = 0;           // never in scope
};

struct KernelCounters {
  uint64_t seen = 0;
  uint64_t filtered = 0;
  uint64_t submitted = 0;
  uint64_t dropped_ringbuf = 0;
  uint64_t dropped_path = 0;
  uint64_t killed = 0;
};

class SensorProgram {
 public:
  using RecordFn = std::function<void(std::span<const std::byte>)>;

  static Result<std::unique_ptr<SensorProgram>> load(const CompiledRuleset& ruleset,
                                                     const Scope& scope,
                                                     const ProgramOptions& options);
  ~SensorProgram();
  SensorProgram(const SensorProgram&) = delete;
  SensorProgram& operator=(const SensorProgram&) = delete;

  // Waits up to timeout_ms for records and hands each to on_record; returns how many.
  Result<int> poll(int timeout_ms, const RecordFn& on_record);

  // Replaces every cgroup_rules entry with `rules` (cgroup → rule bits; a cgroup's subtree
  // shares its entry) and the scope levels, on the loaded program (node mode's Pod scope).
  Status set_cgroup_rules(const std::vector<std::pair<CgroupInfo, uint64_t>>& rules);

  KernelCounters counters() const;
  // Names of the attached programs, e.g. "sched_process_exec".
  const std::vector<std::string>& attached() const { return attached_; }

 private:
  SensorProgram() = default;
  Status fill_maps(const CompiledRuleset& ruleset, const Scope& scope);
  Status attach(const CompiledRuleset& ruleset);

  castellan_sensor* skel_ = nullptr;
  ring_buffer* ring_ = nullptr;
  const RecordFn* on_record_ = nullptr;
  std::vector<std::string> attached_;
};

using SensorProgramPtr = std::unique_ptr<SensorProgram>;

}  // namespace castellan::sensor
