#pragma once
// ContainerTable: cgroup id → the container and Pod running there, bounded. Written by node
// mode's Pod watch, read by the consumer thread to put container and pod into alerts.

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>

#include "sensor/bounded_lru.h"

namespace castellan::sensor {

struct ContainerInfo {
  std::string container_id;
  std::string pod_namespace;
  std::string pod_name;
  std::string pod_uid;
  std::string container_name;  // as in the Pod spec; empty when the status did not say
};

class ContainerTable {
 public:
  explicit ContainerTable(size_t capacity) : entries_(capacity) {}

  void put(uint64_t cgroup_id, ContainerInfo info) {
    std::lock_guard lock(mutex_);
    entries_.put(cgroup_id, std::move(info));
  }
  void erase(uint64_t cgroup_id) {
    std::lock_guard lock(mutex_);
    entries_.erase(cgroup_id);
  }
  std::optional<ContainerInfo> find(uint64_t cgroup_id) {
    std::lock_guard lock(mutex_);
    if (auto* info = entries_.get(cgroup_id)) return *info;
    return std::nullopt;
  }
  size_t size() {
    std::lock_guard lock(mutex_);
    return entries_.size();
  }

 private:
  std::mutex mutex_;
  BoundedLru<uint64_t, ContainerInfo> entries_;
};

}  // namespace castellan::sensor
