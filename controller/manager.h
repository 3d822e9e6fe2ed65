#pragma once
// Manager: castellan-manager's cluster mode, wired.
//  - Every replica: SecurityPolicy and Namespace informers build the snapshot the webhook
//    serves; a Secret informer hot-reloads the serving certificate; the replica's admission
//    counts are written to its own report every report_interval.
//  - The leader (Lease): certificates, webhook configurations, the runtime ruleset the sensors
//    load, quarantine releases, runtime alerts and responses (from RuntimeViolation Events),
//    silent sensors, policy finalizers and status, folding the replicas' reports. One
//    level-based reconcile of everything, run on any change and every resync period; it never
//    branches on what changed.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "controller/admission_report_store.h"
#include "controller/admission_tally.h"
#include "controller/certificate_reconciler.h"
#include "controller/policy_set.h"
#include "controller/policy_status_reconciler.h"
#include "controller/quarantine_release.h"
#include "controller/responses/notifier.h"
#include "controller/runtime_reconciler.h"
#include "controller/runtime_ruleset_publisher.h"
#include "controller/sensor_health_reconciler.h"
#include "controller/webhook_configuration_reconciler.h"
#include "kube/event_recorder.h"
#include "kube/informer.h"
#include "kube/leader_election.h"
#include "webhook/policy_store.h"
#include "webhook/tls_context_provider.h"

namespace castellan::controller {

struct ManagerOptions {
  std::string namespace_ = "castellan-system";
  std::string identity;  // this replica, unique: pod name or host + pid
  // webhook.protected_namespaces are left out of the webhooks and never acted on by responses.
  WebhookSettings webhook;
  std::string secret_name = "castellan-webhook-cert";
  bool cert_manager = false;  // the Secret is cert-manager's: only read it and inject its CA
  std::chrono::seconds cert_lifetime{std::chrono::hours(24 * 365)};
  std::vector<std::string> extra_sans;  // beside the Service's DNS names (URL mode: 127.0.0.1)
  std::chrono::seconds resync{10};
  std::chrono::seconds report_interval{10};
  std::chrono::seconds report_stale_after{60};
  kube::Duration lease_duration = std::chrono::seconds(15);
  kube::Duration renew_deadline = std::chrono::seconds(10);
  kube::Duration retry_period = std::chrono::seconds(2);
  NotifierOptions notify;
};

class Manager {
 public:
  Manager(kube::ApiClientPtr api, ManagerOptions options, webhook::PolicyStore& store,
          webhook::TlsContextProvider& tls, AdmissionTally& tally);
  ~Manager();
  Manager(const Manager&) = delete;
  Manager& operator=(const Manager&) = delete;

  // Starts the informers and waits for their first sync, then campaigns for leadership.
  Status start(std::chrono::seconds sync_timeout = std::chrono::seconds(60));
  // Stops leading (releasing the Lease), writes a last report and joins every thread.
  // Not restartable.
  void stop();

  bool is_leader() const { return elector_ && elector_->is_leader(); }
  // True once a serving certificate from the Secret is loaded.
  bool certificate_loaded() const { return certificate_loaded_; }

 private:
  void on_policy_event(const nlohmann::json* object, const std::string& deleted_name);
  void publish_snapshot();
  void publish_namespaces();
  void on_secret(const nlohmann::json& secret);
  void trigger();
  void leader_loop();
  Status reconcile_once(bool& again);
  void report_loop();
  std::vector<std::string> subject_alt_names() const;

  kube::ApiClientPtr api_;
  ManagerOptions options_;
  webhook::PolicyStore& store_;
  webhook::TlsContextProvider& tls_;
  AdmissionTally& tally_;

  std::unique_ptr<kube::Informer<nlohmann::json>> policy_informer_;
  std::unique_ptr<kube::Informer<policy::Labels>> namespace_informer_;
  std::unique_ptr<kube::Informer<nlohmann::json>> secret_informer_;
  std::unique_ptr<kube::Informer<nlohmann::json>> validating_informer_;
  std::unique_ptr<kube::Informer<nlohmann::json>> mutating_informer_;
  std::unique_ptr<kube::Informer<api::RuntimeViolationEvent>> violation_informer_;
  std::unique_ptr<kube::Informer<api::NodeSensor>> sensor_informer_;
  std::unique_ptr<kube::LeaderElector> elector_;
  std::unique_ptr<kube::EventRecorder> events_;

  CertificateReconciler certificates_;
  WebhookConfigurationReconciler webhooks_;
  PolicyStatusReconciler statuses_;
  AdmissionReportStore reports_;
  RuntimeRulesetPublisher rulesets_;
  SensorHealthReconciler sensor_health_;
  std::unique_ptr<QuarantineRelease> releases_;
  NotifierPtr notifier_;
  std::unique_ptr<RuntimeReconciler> runtime_;

  std::mutex policies_mu_;
  PolicySet policies_;
  std::atomic<uint64_t> snapshot_generation_{0};
  std::atomic<bool> certificate_loaded_{false};

  std::mutex loop_mu_;
  std::condition_variable loop_cv_;
  bool dirty_ = true;
  bool leading_ = false;
  bool new_term_ = false;  // leading began since the last reconcile
  bool stopping_ = false;
  std::thread leader_thread_;
  std::thread report_thread_;
  std::string last_certificate_bundle_;  // what the Secret holds
  std::string last_published_bundle_;    // what the webhook configurations carry
};

}  // namespace castellan::controller
