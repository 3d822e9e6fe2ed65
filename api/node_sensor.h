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
  // metadata.generation this status describes, as in its conditions (kstatus); 0: not written.
  int64_t observedGeneration = 0;
  std::string kernel;           // uname -r
  bool btf = false;             // /sys/kernel/btf/vmlinux present
  std::vector<std::string> programsAttached;
  std::string rulesetHash;      // hash of the ruleset loaded
  // The newest ruleset when it could not be loaded (compile, load or verifier error); the
  // sensor keeps running rulesetHash. Both empty when the newest ruleset is loaded.
  std::string failedRulesetHash;
  std::string rulesetError;
  int64_t eventsSeen = 0;
  int64_t eventsDropped = 0;
  int64_t alerts = 0;
  int64_t killed = 0;
  std::string lastError;
  std::string lastHeartbeatTime;  // RFC 3339
  int64_t heartbeatIntervalSeconds = 0;  // how often the sensor writes this status
  std::vector<Condition> conditions;
};

// NodeSensor condition types. The sensor writes both; the controller sets Ready=False
// (reason HeartbeatMissed) when lastHeartbeatTime is older than a few heartbeat intervals.
inline constexpr const char* kSensorReadyCondition = "Ready";
inline constexpr const char* kRulesetLoadedCondition = "RulesetLoaded";

struct NodeSensor {
  ObjectMeta metadata;
  NodeSensorStatus status;
};

}  // namespace castellan::api
