#pragma once
// NodeSensor (castellan.io/v1alpha1, cluster-scoped, one per node, named after the node).
// Written by the sensor on that node; summed by the controller into SecurityPolicy status.

#include <cstdint>
#include <string>
#include <vector>

#include "api/object_meta.h"

namespace castellan::api {

inline constexpr const char* kNodeSensorKind = "NodeSensor";

struct NodeSensorStatus {
  std::string kernel;           // uname -r
  bool btf = false;             // /sys/kernel/btf/vmlinux present
  std::vector<std::string> programsAttached;
  std::string rulesetHash;      // hash of the ruleset loaded
  int64_t eventsSeen = 0;
  int64_t eventsDropped = 0;
  int64_t alerts = 0;
  int64_t killed = 0;
  std::string lastError;
  std::string lastHeartbeatTime;  // RFC 3339
  std::vector<Condition> conditions;
};

struct NodeSensor {
  ObjectMeta metadata;
  NodeSensorStatus status;
};

}  // namespace castellan::api
