#pragma once
// Writes each SecurityPolicy's finalizer and status (leader only): conditions from what the
// reconcile observed, admission counts summed from every replica, denial Events, and the
// runtime half (alerts, responses, nodesInSync, SensorsSynced) from the runtime reconciler.

#include <map>
#include <optional>
#include <string>

#include "controller/admission_reports.h"
#include "controller/policy_set.h"
#include "controller/policy_status.h"
#include "controller/runtime_reconciler.h"
#include "controller/webhook_configuration_reconciler.h"
#include "kube/api_client.h"
#include "kube/event_recorder.h"

namespace castellan::controller {

class PolicyStatusReconciler {
 public:
  // `events` may be null (no denial Events).
  PolicyStatusReconciler(kube::ApiClientPtr api, kube::EventRecorder* events);

  // Patches status where it changed, and releases the finalizer that earlier releases added.
  // `tallies` nullopt: the admission reports could not be read this time; `runtime` null: the
  // runtime half could not be reconciled; what they feed is left as it is.
  // Returns the first error; the others are still attempted.
  Status reconcile(const PolicySet& policies, const PublishedWebhooks& published,
                   const std::optional<PolicyTallies>& tallies, const RuntimeObservation* runtime,
                   const std::string& now);

 private:
  Status release_finalizer(const std::string& name);
  void record_denials(const PolicyState& state, const PolicyTally& tally);

  kube::ApiClientPtr api_;
  kube::EventRecorder* events_;
  std::map<std::string, std::string> newest_event_time_;  // per policy: last violation evented
};

// The observation for one policy from the published webhook state (pure; exposed for tests).
PolicyObservation observe_policy(const PolicyState& state, const PublishedWebhooks& published);

}  // namespace castellan::controller
