#include "sensor/sensor_program.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <unistd.h>

#include <cerrno>
#include <cstdarg>
#include <cstring>
#include <mutex>
#include <set>

#include "sensor/abi/kernel_types.h"
#include "sensor/tracefs.h"
#include "castellan_sensor.skel.h"

namespace castellan::sensor {
namespace {

// libbpf reports through one global callback; it is captured while a load is in progress.
std::mutex g_log_mutex;
std::string* g_log = nullptr;

int capture_print(enum libbpf_print_level level, const char* format, va_list args) {
  if (level == LIBBPF_DEBUG || g_log == nullptr) return 0;
  char buf[4096];
  int n = vsnprintf(buf, sizeof(buf), format, args);
  if (n > 0) g_log->append(buf, std::min<size_t>(static_cast<size_t>(n), sizeof(buf) - 1));
  return n;
}

// The program named in libbpf's log ("prog 'castellan_openat': ..."), if any.
std::string failed_program(const std::string& log) {
  auto at = log.find("prog '");
  if (at == std::string::npos) return "";
  auto end = log.find('\'', at + 6);
  return end == std::string::npos ? "" : log.substr(at + 6, end - at - 6);
}

std::string tail(const std::string& log, size_t max_bytes) {
  return log.size() <= max_bytes ? log : "..." + log.substr(log.size() - max_bytes);
}

Status map_update(bpf_map* map, const void* key, const void* value, const char* what) {
  if (bpf_map_update_elem(bpf_map__fd(map), key, value, BPF_ANY) != 0) {
    return Error::make(std::string("writing ") + what + " into BPF map " + bpf_map__name(map) +
                       " failed: " + std::strerror(errno));
  }
  return Status::Ok();
}

// ctx is the address of SensorProgram::on_record_, set for the duration of a poll.
int on_sample(void* ctx, void* data, size_t size) {
  const auto* fn = *static_cast<const SensorProgram::RecordFn* const*>(ctx);
  if (fn) (*fn)(std::span<const std::byte>(static_cast<const std::byte*>(data), size));
  return 0;
}

}  // namespace

Result<SensorProgramPtr> SensorProgram::load(const CompiledRuleset& ruleset, const Scope& scope,
                                             const ProgramOptions& options) {
  if (options.ringbuf_bytes < 4096 || (options.ringbuf_bytes & (options.ringbuf_bytes - 1))) {
    return Error::make("ring buffer size " + std::to_string(options.ringbuf_bytes) +
                       " is not a power of two of at least 4096 bytes", "Invalid");
  }
  SensorProgramPtr program(new SensorProgram());
  std::string log;
  {
    std::lock_guard lock(g_log_mutex);
    g_log = &log;
    libbpf_set_print(capture_print);
    program->skel_ = castellan_sensor__open();
    int err = program->skel_ ? 0 : -errno;
    if (err == 0) {
      auto* skel = program->skel_;
      skel->rodata->wakeup_bytes = options.wakeup_bytes;
      bpf_map__set_max_entries(skel->maps.events, options.ringbuf_bytes);
      bool exec = ruleset.exec_rules != 0, file = ruleset.file_rules != 0,
           connect = ruleset.connect_rules != 0;
      bpf_program__set_autoload(skel->progs.castellan_exec, exec);
      bpf_program__set_autoload(skel->progs.castellan_exit, exec || file || connect);
      bpf_program__set_autoload(skel->progs.castellan_openat, file);
      bpf_program__set_autoload(skel->progs.castellan_openat2, file);
      bpf_program__set_autoload(skel->progs.castellan_connect, connect);
      err = castellan_sensor__load(skel);
    }
    libbpf_set_print(nullptr);
    g_log = nullptr;
    if (err != 0) {
      std::string prog = failed_program(log);
      return Error::make("loading BPF program " + (prog.empty() ? "castellan_sensor" : prog) +
                             " failed: " + std::strerror(-err) + "\nverifier log:\n" +
                             tail(log, 8192), "LoadFailed");
    }
  }
  if (auto st = program->fill_maps(ruleset, scope); !st.ok()) return st.error();
  if (auto st = ensure_tracefs(); !st.ok()) return st.error();
  program->skel_->data->rule_config.sensor_tgid = options.sensor_tgid;
  if (auto st = program->attach(ruleset); !st.ok()) return st.error();
  program->ring_ = ring_buffer__new(bpf_map__fd(program->skel_->maps.events), on_sample,
                                    &program->on_record_, nullptr);
  if (!program->ring_) {
    return Error::make(std::string("opening the ring buffer failed: ") + std::strerror(errno));
  }
  return program;
}

Status SensorProgram::fill_maps(const CompiledRuleset& ruleset, const Scope& scope) {
  auto& config = skel_->data->rule_config;
  config.exec_rules = ruleset.exec_rules;
  config.file_rules = ruleset.file_rules;
  config.connect_rules = ruleset.connect_rules;
  config.all_scope_mask = scope.all ? ruleset.all_rules() : 0;
  std::set<uint32_t> levels;
  for (const auto& root : scope.roots) {
    castellan_scope value{ruleset.all_rules()};
    if (auto st = map_update(skel_->maps.cgroup_rules, &root.id, &value, "a cgroup scope");
        !st.ok())
      return st;
    if (root.level > 0) levels.insert(root.level);
  }
  if (levels.size() > CASTELLAN_SCOPE_LEVELS) {
    return Error::make("scope cgroups sit at " + std::to_string(levels.size()) +
                       " different depths; at most " + std::to_string(CASTELLAN_SCOPE_LEVELS) +
                       " are supported", "Invalid");
  }
  size_t i = 0;
  for (auto level : levels) config.scope_levels[i++] = level;

  for (const auto& [key, entry] : ruleset.exec_names) {
    castellan_exec_name value{entry.rule_mask, entry.kill_mask};
    if (auto st = map_update(skel_->maps.exec_names, key.data(), &value, "an exec name"); !st.ok())
      return st;
  }
  for (const auto& entry : ruleset.path_entries) {
    castellan_path_key key{};
    key.prefixlen = entry.prefix_len;
    std::memcpy(key.data, entry.bytes.data(), std::min(entry.bytes.size(), sizeof(key.data)));
    if (auto st = map_update(skel_->maps.path_prefixes, &key, &entry.rule_mask, "a path prefix");
        !st.ok())
      return st;
  }
  for (const auto& entry : ruleset.cidr_v4) {
    castellan_cidr4_key key{};
    key.prefixlen = entry.cidr.prefix_len;
    std::memcpy(key.addr, entry.cidr.addr.data(), 4);
    if (auto st = map_update(skel_->maps.cidr_v4, &key, &entry.rule_mask, "an IPv4 CIDR"); !st.ok())
      return st;
  }
  for (const auto& entry : ruleset.cidr_v6) {
    castellan_cidr6_key key{};
    key.prefixlen = entry.cidr.prefix_len;
    std::memcpy(key.addr, entry.cidr.addr.data(), 16);
    if (auto st = map_update(skel_->maps.cidr_v6, &key, &entry.rule_mask, "an IPv6 CIDR"); !st.ok())
      return st;
  }
  for (const auto& [port, mask] : ruleset.except_ports) {
    if (auto st = map_update(skel_->maps.except_ports, &port, &mask, "a port"); !st.ok()) return st;
  }
  return Status::Ok();
}

Status SensorProgram::attach(const CompiledRuleset& ruleset) {
  struct Hook {
    bpf_program* program;
    bpf_link** link;
    const char* name;
    bool wanted;
  };
  auto* s = skel_;
  const Hook hooks[] = {
      {s->progs.castellan_exec, &s->links.castellan_exec, "sched_process_exec",
       ruleset.exec_rules != 0},
      {s->progs.castellan_exit, &s->links.castellan_exit, "sched_process_exit",
       ruleset.all_rules() != 0},
      {s->progs.castellan_openat, &s->links.castellan_openat, "sys_enter_openat",
       ruleset.file_rules != 0},
      {s->progs.castellan_openat2, &s->links.castellan_openat2, "sys_enter_openat2",
       ruleset.file_rules != 0},
      {s->progs.castellan_connect, &s->links.castellan_connect, "sys_enter_connect",
       ruleset.connect_rules != 0},
  };
  for (const auto& hook : hooks) {
    if (!hook.wanted) continue;
    bpf_link* link = bpf_program__attach(hook.program);
    if (!link) {
      return Error::make(std::string("attaching BPF program ") + bpf_program__name(hook.program) +
                         " to tracepoint " + hook.name + " failed: " + std::strerror(errno),
                         "AttachFailed");
    }
    *hook.link = link;
    attached_.push_back(hook.name);
  }
  return Status::Ok();
}

Status SensorProgram::set_cgroup_rules(const std::vector<std::pair<CgroupInfo, uint64_t>>& rules) {
  std::set<uint32_t> levels;
  std::set<uint64_t> wanted;
  for (const auto& [cgroup, mask] : rules) {
    if (mask == 0) continue;
    wanted.insert(cgroup.id);
    if (cgroup.level > 0) levels.insert(cgroup.level);
  }
  if (levels.size() > CASTELLAN_SCOPE_LEVELS) {
    return Error::make("container cgroups sit at " + std::to_string(levels.size()) +
                       " different depths; at most " + std::to_string(CASTELLAN_SCOPE_LEVELS) +
                       " are supported", "Invalid");
  }
  int fd = bpf_map__fd(skel_->maps.cgroup_rules);
  std::vector<uint64_t> stale;
  uint64_t key = 0, next = 0;
  for (uint64_t* prev = nullptr; bpf_map_get_next_key(fd, prev, &next) == 0; prev = &key) {
    if (!wanted.count(next)) stale.push_back(next);
    key = next;
  }
  for (uint64_t id : stale) bpf_map_delete_elem(fd, &id);
  for (const auto& [cgroup, mask] : rules) {
    if (mask == 0) continue;
    castellan_scope value{mask};
    if (auto st = map_update(skel_->maps.cgroup_rules, &cgroup.id, &value, "a cgroup scope");
        !st.ok())
      return st;
  }
  auto& config = skel_->data->rule_config;
  size_t i = 0;
  for (auto level : levels) config.scope_levels[i++] = level;
  for (; i < CASTELLAN_SCOPE_LEVELS; ++i) config.scope_levels[i] = 0;
  return Status::Ok();
}

Result<int> SensorProgram::poll(int timeout_ms, const RecordFn& on_record) {
  on_record_ = &on_record;
  int n = ring_buffer__poll(ring_, timeout_ms);
  // Records submitted without a wakeup are not reported by epoll: consume them explicitly.
  if (n >= 0) {
    int more = ring_buffer__consume(ring_);
    n = more < 0 ? more : n + more;
  }
  on_record_ = nullptr;
  if (n < 0 && n != -EINTR) {
    return Error::make(std::string("polling the ring buffer failed: ") + std::strerror(-n));
  }
  return n < 0 ? 0 : n;
}

KernelCounters SensorProgram::counters() const {
  int cpus = libbpf_num_possible_cpus();
  std::vector<castellan_counters> per_cpu(cpus > 0 ? cpus : 1);
  uint32_t zero = 0;
  KernelCounters total;
  if (bpf_map_lookup_elem(bpf_map__fd(skel_->maps.counters), &zero, per_cpu.data()) != 0) {
    return total;
  }
  for (const auto& c : per_cpu) {
    total.seen += c.seen;
    total.filtered += c.filtered;
    total.submitted += c.submitted;
    total.dropped_ringbuf += c.dropped_ringbuf;
    total.dropped_path += c.dropped_path;
    total.killed += c.killed;
  }
  return total;
}

SensorProgram::~SensorProgram() {
  if (ring_) ring_buffer__free(ring_);
  if (skel_) castellan_sensor__destroy(skel_);
}

}  // namespace castellan::sensor
