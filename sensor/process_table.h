#pragma once
// ProcessTable: what the sensor knows of live processes (from exec events, else /proc), bounded.

#include <cstdint>
#include <string>
#include <vector>

#include "sensor/bounded_lru.h"

namespace castellan::sensor {

struct ProcessEntry {
  std::string exe;
  std::vector<std::string> args;
};

class ProcessTable {
 public:
  explicit ProcessTable(size_t capacity, std::string proc_root = "/proc")
      : entries_(capacity), proc_root_(std::move(proc_root)) {}

  void on_exec(uint32_t pid, ProcessEntry entry) { entries_.put(pid, std::move(entry)); }
  void on_exit(uint32_t pid) { entries_.erase(pid); }

  // The known entry, else one read from /proc (cached); empty fields when the process is gone.
  ProcessEntry lookup(uint32_t pid);

  size_t size() const { return entries_.size(); }
  size_t evictions() const { return entries_.evictions(); }

 private:
  BoundedLru<uint32_t, ProcessEntry> entries_;
  std::string proc_root_;
};

}  // namespace castellan::sensor
