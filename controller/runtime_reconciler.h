#pragma once
// RuntimeReconciler (leader only): turns the sensors' RuntimeViolation Events into each
// policy's runtime record (alerts, killed, recent violations) through the runtime ledger,
// runs spec.runtime.responses for every new alert — rate-limited per policy, each action
// idempotent, recorded in recentActions and as Events on the Pod and the SecurityPolicy — and
// sizes up the sensor fleet against the published ruleset. Level-based: every pass takes the
// Events and NodeSensors as they are and acts on what the ledger has not counted yet.

#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "api/node_sensor.h"
#include "api/runtime_violation.h"
#include "controller/policy_set.h"
#include "controller/protected_namespaces.h"
#include "controller/responses/action_rate_limiter.h"
#include "controller/responses/notifier.h"
#include "controller/responses/response_actions.h"
#include "controller/runtime_ledger.h"
#include "controller/runtime_ledger_store.h"
#include "controller/sensor_fleet.h"
#include "kube/api_client.h"
#include "kube/event_recorder.h"

namespace castellan::controller {

struct RuntimeObservation {
  std::map<std::string, PolicyRuntimeRecord> records;  // by policy name
  FleetView fleet;
};

class RuntimeReconciler {
 public:
  // `events` and `notifier` may be null (no Events; Notify fails as not configured). Alerts on
  // pods in `protected_namespaces` are counted and notified, and every other action refused.
  RuntimeReconciler(kube::ApiClientPtr api, std::string namespace_,
                    ProtectedNamespaces protected_namespaces, kube::EventRecorder* events,
                    Notifier* notifier);

  // Forgets the ledger held in memory, so the next pass reads it again (a new term as leader:
  // another replica may have written it since).
  void reset();
  // A Notify delivery ended (any thread); recorded on the next pass.
  void on_notified(NotifyResult result);

  // `events_complete`: the Events are every RuntimeViolation Event (the watch has synced).
  Result<RuntimeObservation> reconcile(const PolicySet& policies, const ViolationEvents& events,
                                       bool events_complete,
                                       const std::vector<api::NodeSensor>& sensors,
                                       const std::string& ruleset_hash,
                                       std::chrono::system_clock::time_point now);

 private:
  Status ensure_ledger(const PolicySet& policies, const ViolationEvents& events,
                       bool events_complete);
  bool record_notifications(const PolicySet& policies);
  void respond(const PolicyState& state, const NewAlert& alert, const std::string& now);
  void notify(const PolicyState& state, const NewAlert& alert, const api::ResponseSpec& response,
              const std::vector<std::string>& actions, api::ActionRecord record,
              PolicyRuntimeRecord& runtime);
  void record_action(const PolicyState& state, const std::string& pod_uid, api::ActionRecord action,
                     PolicyRuntimeRecord& runtime);

  kube::ApiClientPtr api_;
  ProtectedNamespaces protected_;
  kube::EventRecorder* events_;
  Notifier* notifier_;
  RuntimeLedgerStore store_;
  ResponseActions actions_;
  ActionRateLimiter limiter_;
  std::optional<RuntimeLedger> ledger_;

  std::mutex notified_mu_;
  std::vector<NotifyResult> notified_;
};

}  // namespace castellan::controller
