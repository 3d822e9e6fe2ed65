#pragma once
// SensorFleet: how the NodeSensors stand against the ruleset the leader published — which run
// it, which could not load it (and why), which stopped reporting. Feeds nodesInSync and the
// SensorsSynced condition of every policy with runtime rules, and the leader's marking of
// silent sensors as not Ready. Pure.

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "api/node_sensor.h"

namespace castellan::controller {

// A sensor is silent after this many heartbeat intervals without a status write.
inline constexpr int kMissedHeartbeats = 3;
inline constexpr int64_t kDefaultHeartbeatSeconds = 10;

struct SensorView {
  std::string node;
  bool reporting = false;  // heartbeat within kMissedHeartbeats intervals
  bool synced = false;     // reporting and running the published ruleset
  std::string problem;     // why not synced, naming the node; empty when synced
};

struct FleetView {
  std::string ruleset_hash;
  int64_t in_sync = 0;
  std::vector<SensorView> sensors;  // by node name

  int64_t total() const { return static_cast<int64_t>(sensors.size()); }
  std::string nodes_in_sync() const;  // "2/3"
};

// True when the sensor's last heartbeat is older than kMissedHeartbeats of its intervals
// (or it never wrote one).
bool heartbeat_missed(const api::NodeSensorStatus& status,
                      std::chrono::system_clock::time_point now);

FleetView observe_fleet(const std::vector<api::NodeSensor>& sensors,
                        const std::string& ruleset_hash, std::chrono::system_clock::time_point now);

struct SensorsSyncedCondition {
  bool synced = false;
  std::string reason;
  std::string message;
};

// SensorsSynced of a policy with runtime rules: True when every sensor runs the ruleset;
// otherwise False, naming each node that does not and why (at most `max_named`).
SensorsSyncedCondition sensors_synced(const FleetView& fleet, size_t max_named = 10);

// Sets Ready=False with reason HeartbeatMissed on a sensor found silent (its other conditions
// stay as the sensor left them). Returns true when that changed its conditions.
bool mark_silent(api::NodeSensor& sensor, const std::string& now);

}  // namespace castellan::controller
