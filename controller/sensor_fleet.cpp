#include "controller/sensor_fleet.h"

#include <algorithm>

#include "api/conditions.h"
#include "controller/time_format.h"

namespace castellan::controller {
namespace {

int64_t interval_seconds(const api::NodeSensorStatus& status) {
  return status.heartbeatIntervalSeconds > 0 ? status.heartbeatIntervalSeconds
                                             : kDefaultHeartbeatSeconds;
}

std::string short_hash(const std::string& hash) {
  // "sha256:" and 12 hex digits, as images are shown.
  return hash.size() > 19 ? hash.substr(0, 19) : hash;
}

std::string problem_of(const api::NodeSensor& sensor, bool reporting,
                       const std::string& ruleset_hash) {
  const auto& s = sensor.status;
  const std::string& node = sensor.metadata.name;
  if (s.lastHeartbeatTime.empty()) return node + ": the sensor has never reported";
  if (!reporting) {
    return node + ": the sensor stopped reporting (last heartbeat " + s.lastHeartbeatTime + ", " +
           std::to_string(kMissedHeartbeats) + " intervals of " +
           std::to_string(interval_seconds(s)) + " s missed)";
  }
  if (!s.failedRulesetHash.empty() && s.failedRulesetHash == ruleset_hash) {
    return node + ": could not load ruleset " + short_hash(ruleset_hash) + ": " +
           (s.rulesetError.empty() ? "no reason given" : s.rulesetError) +
           (s.rulesetHash.empty() ? "" : " (still runs " + short_hash(s.rulesetHash) + ")");
  }
  if (s.rulesetHash.empty())
    return node + ": has not loaded ruleset " + short_hash(ruleset_hash) + " yet";
  return node + ": runs ruleset " + short_hash(s.rulesetHash) + ", not yet " +
         short_hash(ruleset_hash);
}

}  // namespace

std::string FleetView::nodes_in_sync() const {
  return std::to_string(in_sync) + "/" + std::to_string(total());
}

bool heartbeat_missed(const api::NodeSensorStatus& status,
                      std::chrono::system_clock::time_point now) {
  auto last = parse_rfc3339(status.lastHeartbeatTime);
  if (!last) return true;
  return now - *last > std::chrono::seconds(kMissedHeartbeats * interval_seconds(status));
}

FleetView observe_fleet(const std::vector<api::NodeSensor>& sensors,
                        const std::string& ruleset_hash,
                        std::chrono::system_clock::time_point now) {
  FleetView fleet;
  fleet.ruleset_hash = ruleset_hash;
  for (const auto& sensor : sensors) {
    SensorView view;
    view.node = sensor.metadata.name;
    view.reporting = !heartbeat_missed(sensor.status, now);
    view.synced = view.reporting && sensor.status.rulesetHash == ruleset_hash;
    if (!view.synced) view.problem = problem_of(sensor, view.reporting, ruleset_hash);
    fleet.in_sync += view.synced ? 1 : 0;
    fleet.sensors.push_back(std::move(view));
  }
  std::sort(fleet.sensors.begin(), fleet.sensors.end(),
            [](const SensorView& a, const SensorView& b) { return a.node < b.node; });
  return fleet;
}

SensorsSyncedCondition sensors_synced(const FleetView& fleet, size_t max_named) {
  if (fleet.sensors.empty()) {
    return {false, "NoSensors",
            "No castellan-sensor has reported a NodeSensor: the runtime rules run on no node "
            "(deploy config/sensor)"};
  }
  if (fleet.in_sync == fleet.total()) {
    return {true, "Synced",
            "All " + std::to_string(fleet.total()) + " sensors run ruleset " +
                short_hash(fleet.ruleset_hash)};
  }
  std::string message =
      fleet.nodes_in_sync() + " sensors run ruleset " + short_hash(fleet.ruleset_hash);
  size_t named = 0, unnamed = 0;
  for (const auto& sensor : fleet.sensors) {
    if (sensor.synced) continue;
    if (named == max_named) {
      ++unnamed;
      continue;
    }
    message += "; " + sensor.problem;
    ++named;
  }
  if (unnamed > 0) message += "; and " + std::to_string(unnamed) + " more nodes";
  bool silent = std::any_of(fleet.sensors.begin(), fleet.sensors.end(),
                            [](const SensorView& s) { return !s.reporting; });
  return {false, silent ? "SensorsNotReporting" : "NotSynced", message};
}

bool mark_silent(api::NodeSensor& sensor, const std::string& now) {
  const auto& status = sensor.status;
  std::string since =
      status.lastHeartbeatTime.empty() ? std::string("it started") : status.lastHeartbeatTime;
  return api::set_condition(
      sensor.status.conditions,
      {api::kSensorReadyCondition, "False", "HeartbeatMissed",
       "No status from the sensor since " + since + " (" + std::to_string(kMissedHeartbeats) +
           " heartbeats of " + std::to_string(interval_seconds(status)) + " s missed)",
       "", sensor.metadata.generation},
      now);
}

}  // namespace castellan::controller
