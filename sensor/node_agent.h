#pragma once
// NodeAgent: node mode. Watches the runtime ruleset ConfigMap, the Pods on its node and the
// Namespaces; (re)loads the BPF programs when the ruleset changes (load the new programs,
// program their scope, start them, then stop the old ones), writes the per-cgroup rule
// masks for every running container whose Pod a policy matches, and reports NodeSensor
// status every status_period and at once when the ruleset loaded (or failed to) changes.

#include <atomic>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "api/runtime_ruleset.h"
#include "common/result.h"
#include "kube/clock.h"
#include "kube/informer.h"
#include "sensor/alert_sink.h"
#include "sensor/container_table.h"
#include "sensor/node_sensor_reporter.h"
#include "sensor/rule_scope.h"
#include "sensor/sensor.h"

namespace castellan::sensor {

struct NodeAgentOptions {
  std::string node_name;
  std::string namespace_ = "castellan-system";
  std::string ruleset_configmap = api::kRulesetConfigMapName;
  std::string cgroup_mount;  // cgroup v2 mount (find_cgroup2_mount())
  ProgramOptions program;
  kube::Duration status_period = std::chrono::seconds(10);  // also heartbeatIntervalSeconds
  size_t container_capacity = 16384;
  // Alerts that could not be written as Events (the recorder's overflow and failures); added
  // to NodeSensor eventsDropped with the kernel's drops. Null when there is none.
  std::function<uint64_t()> alerts_dropped;
};

class NodeAgent {
 public:
  NodeAgent(kube::ApiClientPtr api, NodeAgentOptions options, AlertSink& sink);
  ~NodeAgent();
  NodeAgent(const NodeAgent&) = delete;
  NodeAgent& operator=(const NodeAgent&) = delete;

  // Starts the watches and waits up to sync_timeout for their first lists.
  Status start(kube::Duration sync_timeout);
  // Reconciles on its own thread until stop().
  void run_in_background();
  void stop();

  SensorStats stats() const;
  std::vector<std::string> attached() const;
  std::string ruleset_hash() const;
  // The newest ruleset when it could not be loaded, and why; both empty once it loads.
  std::string failed_ruleset_hash() const;
  std::string ruleset_error() const;
  // Empty once the newest ruleset is enforced on this node's pods (or there is none);
  // otherwise why not. Serves the readiness probe.
  std::string not_ready_reason() const;

 private:
  void loop();
  void mark_dirty();
  // True when the loaded ruleset (or the error about it) changed.
  bool sync_ruleset();
  void sync_scope();
  void report_status();
  // The newest ruleset (hash, if known) could not be decoded, compiled, scoped or loaded.
  void set_ruleset_failure(const std::string& hash, const std::string& error);

  kube::ApiClientPtr api_;
  NodeAgentOptions options_;
  AlertSink& sink_;
  std::shared_ptr<ContainerTable> containers_;
  NodeSensorReporter reporter_;
  HostFacts host_;

  std::unique_ptr<kube::Informer<>> rulesets_;
  std::unique_ptr<kube::Informer<>> pods_;
  std::unique_ptr<kube::Informer<>> namespaces_;

  std::mutex wake_mu_;
  std::condition_variable wake_cv_;
  bool dirty_ = true;
  bool stopping_ = false;
  std::thread thread_;

  // Written by the reconcile thread; read under state_mu_ by stats() and the metrics thread.
  mutable std::mutex state_mu_;
  std::unique_ptr<Sensor> sensor_;
  SensorStats carried_;  // counters of sensors replaced by a reload
  std::string loaded_version_;  // resourceVersion of the ConfigMap last acted on
  std::string loaded_hash_;
  bool ruleset_found_ = true;  // false while the ruleset ConfigMap is missing
  bool synced_ = false;        // the ruleset ConfigMap was acted on and the Pods scoped once
  std::string failed_hash_;    // NodeSensor failedRulesetHash
  std::string ruleset_error_;  // NodeSensor rulesetError
  std::string last_error_;
  std::optional<RuleScope> scope_;
};

}  // namespace castellan::sensor
