#include "controller/manager.h"

#include "common/base64.h"
#include "common/log.h"
#include "api/node_sensor_codec.h"
#include "controller/certificates.h"
#include "controller/time_format.h"
#include "kube/resources.h"
#include "policy/policy_snapshot.h"
#include "policy/static_namespace_labels.h"

namespace castellan::controller {
namespace {

using nlohmann::json;

using kube::kNamespaces;
using kube::kSecrets;

kube::InformerOptions informer_options(const kube::GroupVersionResource& gvr,
                                       const std::string& ns = {},
                                       const std::string& field_selector = {}) {
  kube::InformerOptions options;
  options.reflector.gvr = gvr;
  options.reflector.namespace_ = ns;
  options.reflector.field_selector = field_selector;
  return options;
}

// Namespaces are cached as their labels only.
Result<policy::Labels> namespace_labels(const json& object) {
  policy::Labels labels;
  auto it = object.find("metadata");
  if (it == object.end()) return labels;
  auto found = it->find("labels");
  if (found == it->end() || !found->is_object()) return labels;
  for (const auto& [k, v] : found->items()) {
    if (v.is_string()) labels[k] = v.get<std::string>();
  }
  return labels;
}

Result<api::NodeSensor> node_sensor(const json& object) {
  auto decoded = api::decode_node_sensor(object);
  if (!decoded.ok()) return Error::make(api::join(decoded.errors, "; "), "Invalid");
  return std::move(decoded.value);
}

}  // namespace

Manager::Manager(kube::ApiClientPtr api, ManagerOptions options, webhook::PolicyStore& store,
                 webhook::TlsContextProvider& tls, AdmissionTally& tally)
    : api_(api),
      options_(std::move(options)),
      store_(store),
      tls_(tls),
      tally_(tally),
      certificates_(
          CertificateStore(api, options_.namespace_, options_.secret_name),
          CertificateSettings{options_.cert_lifetime, subject_alt_names(), options_.cert_manager}),
      webhooks_(api, options_.webhook),
      statuses_(api, nullptr),
      reports_(api, options_.namespace_),
      rulesets_(api, options_.namespace_),
      sensor_health_(api) {}

Manager::~Manager() { stop(); }

std::vector<std::string> Manager::subject_alt_names() const {
  auto names = service_dns_names(options_.webhook.service_name, options_.namespace_);
  names.insert(names.end(), options_.extra_sans.begin(), options_.extra_sans.end());
  return names;
}

Status Manager::start(std::chrono::seconds sync_timeout) {
  kube::EventRecorderOptions event_options;
  event_options.component = "castellan-manager";
  event_options.host = options_.identity;
  events_ = std::make_unique<kube::EventRecorder>(api_, event_options);
  statuses_ = PolicyStatusReconciler(api_, events_.get());
  releases_ = std::make_unique<QuarantineRelease>(api_, events_.get());

  auto headers = [api = api_, ns = options_.namespace_](const std::string& secret) -> Result<HttpHeaders> {
    auto got = api->get(kSecrets, ns, secret);
    if (!got) return Error::make("reading Secret " + ns + "/" + secret + ": " + got.error().message);
    return notify_headers(*got);
  };
  auto notifier = Notifier::create(options_.notify, headers, [this](NotifyResult result) {
    if (runtime_) runtime_->on_notified(std::move(result));
    trigger();
  });
  if (!notifier) return Error::make("Failed to start the notifier: " + notifier.error().message);
  notifier_ = std::move(*notifier);
  runtime_ = std::make_unique<RuntimeReconciler>(api_, options_.namespace_,
                                                 options_.webhook.protected_namespaces,
                                                 events_.get(), notifier_.get());

  policy_informer_ =
      std::make_unique<kube::Informer<json>>(api_, informer_options(kube::kSecurityPolicies));
  policy_informer_->add_handlers(
      {[this](const std::string&, const json& o) { on_policy_event(&o, {}); },
       [this](const std::string&, const json&, const json& o) { on_policy_event(&o, {}); },
       [this](const std::string& key, const json&) { on_policy_event(nullptr, key); }});

  namespace_informer_ = std::make_unique<kube::Informer<policy::Labels>>(
      api_, informer_options(kNamespaces), namespace_labels);
  namespace_informer_->add_handlers(
      {[this](const std::string&, const policy::Labels&) { publish_namespaces(); },
       [this](const std::string&, const policy::Labels&, const policy::Labels&) {
         publish_namespaces();
       },
       [this](const std::string&, const policy::Labels&) { publish_namespaces(); }});

  secret_informer_ = std::make_unique<kube::Informer<json>>(
      api_,
      informer_options(kSecrets, options_.namespace_, "metadata.name=" + options_.secret_name));
  secret_informer_->add_handlers(
      {[this](const std::string&, const json& o) { on_secret(o); },
       [this](const std::string&, const json&, const json& o) { on_secret(o); }, nullptr});

  // Drift: any change to our webhook configurations (or their deletion) triggers a reconcile.
  auto drift = [this](const kube::GroupVersionResource& gvr) {
    auto informer = std::make_unique<kube::Informer<json>>(
        api_, informer_options(gvr, {}, "metadata.name=" + options_.webhook.configuration_name));
    informer->add_handlers({[this](const std::string&, const json&) { trigger(); },
                            [this](const std::string&, const json&, const json&) { trigger(); },
                            [this](const std::string&, const json&) { trigger(); }});
    return informer;
  };
  validating_informer_ = drift(WebhookConfigurationReconciler::validating_gvr());
  mutating_informer_ = drift(WebhookConfigurationReconciler::mutating_gvr());

  // Runtime: the sensors' alerts and their NodeSensors. Every replica watches, so a new leader
  // starts from a synced cache; only the leader acts on them.
  violation_informer_ = std::make_unique<kube::Informer<api::RuntimeViolationEvent>>(
      api_,
      informer_options(kube::kCoreEvents, {},
                       std::string("reason=") + api::kRuntimeViolationReason),
      [](const json& object) { return api::decode_runtime_violation(object); });
  violation_informer_->add_handlers(
      {[this](const std::string&, const api::RuntimeViolationEvent&) { trigger(); },
       [this](const std::string&, const api::RuntimeViolationEvent&,
              const api::RuntimeViolationEvent&) { trigger(); },
       nullptr});
  sensor_informer_ = std::make_unique<kube::Informer<api::NodeSensor>>(
      api_, informer_options(kube::kNodeSensors), node_sensor);
  sensor_informer_->add_handlers(
      {[this](const std::string&, const api::NodeSensor&) { trigger(); },
       [this](const std::string&, const api::NodeSensor&, const api::NodeSensor&) { trigger(); },
       [this](const std::string&, const api::NodeSensor&) { trigger(); }});

  for (auto* informer : {policy_informer_.get(), secret_informer_.get(), validating_informer_.get(),
                         mutating_informer_.get()}) {
    informer->start();
  }
  violation_informer_->start();
  sensor_informer_->start();
  namespace_informer_->start();
  // The Secret too: /readyz turns ready with the snapshot, and a replica must not take webhook
  // calls with its bootstrap certificate while the Secret's is there to load.
  if (!policy_informer_->wait_for_sync(sync_timeout) ||
      !namespace_informer_->wait_for_sync(sync_timeout) ||
      !secret_informer_->wait_for_sync(sync_timeout)) {
    return Error::make(
        "Timed out waiting for the SecurityPolicy, Namespace and Secret caches to sync");
  }
  publish_snapshot();
  publish_namespaces();

  report_thread_ = std::thread([this] { report_loop(); });
  leader_thread_ = std::thread([this] { leader_loop(); });

  kube::LeaderElectionConfig election;
  election.lease_namespace = options_.namespace_;
  election.lease_name = "castellan-manager";
  election.identity = options_.identity;
  election.lease_duration = options_.lease_duration;
  election.renew_deadline = options_.renew_deadline;
  election.retry_period = options_.retry_period;
  election.on_started_leading = [this] {
    log::info("Started leading", {{"identity", options_.identity}});
    std::lock_guard<std::mutex> lock(loop_mu_);
    leading_ = true;
    new_term_ = true;
    dirty_ = true;
    loop_cv_.notify_all();
  };
  election.on_stopped_leading = [this] {
    log::info("Stopped leading", {{"identity", options_.identity}});
    std::lock_guard<std::mutex> lock(loop_mu_);
    leading_ = false;
    loop_cv_.notify_all();
  };
  election.on_new_leader = [](const std::string& leader) {
    log::info("Observed new leader", {{"leader", leader}});
  };
  elector_ = std::make_unique<kube::LeaderElector>(api_, election);
  return elector_->start();
}

void Manager::stop() {
  {
    std::lock_guard<std::mutex> lock(loop_mu_);
    if (stopping_) return;
    stopping_ = true;
    loop_cv_.notify_all();
  }
  if (elector_) elector_->stop();
  if (leader_thread_.joinable()) leader_thread_.join();
  if (report_thread_.joinable()) report_thread_.join();
  for (auto* informer : {policy_informer_.get(), secret_informer_.get(), validating_informer_.get(),
                         mutating_informer_.get()}) {
    if (informer) informer->stop();
  }
  if (namespace_informer_) namespace_informer_->stop();
  if (violation_informer_) violation_informer_->stop();
  if (sensor_informer_) sensor_informer_->stop();
  if (notifier_) notifier_->stop();
  if (events_) events_->shutdown();
}

void Manager::on_policy_event(const json* object, const std::string& deleted_key) {
  bool changed;
  {
    std::lock_guard<std::mutex> lock(policies_mu_);
    changed = object != nullptr ? policies_.upsert(*object) : policies_.erase(deleted_key);
  }
  if (changed && policy_informer_->has_synced()) publish_snapshot();
  trigger();
}

void Manager::publish_snapshot() {
  std::vector<api::SecurityPolicy> in_force;
  {
    std::lock_guard<std::mutex> lock(policies_mu_);
    in_force = policies_.in_force();
  }
  auto generation = ++snapshot_generation_;
  store_.set_snapshot(policy::PolicySnapshot::compile(std::move(in_force), generation));
  log::info("Compiled policy snapshot", {{"generation", std::to_string(generation)}});
}

void Manager::publish_namespaces() {
  if (!namespace_informer_ || !namespace_informer_->has_synced()) return;
  std::map<std::string, policy::Labels> labels;
  for (const auto& key : namespace_informer_->store().keys()) {
    if (auto object = namespace_informer_->store().get(key)) labels[key] = *object;
  }
  store_.set_namespaces(std::make_shared<policy::StaticNamespaceLabels>(std::move(labels)));
}

void Manager::on_secret(const json& secret) {
  auto data = secret.value("data", json::object());
  auto cert = base64_decode(data.value("tls.crt", ""));
  auto key = base64_decode(data.value("tls.key", ""));
  if (!cert || !key || cert->empty() || key->empty()) {
    log::warn("Ignored webhook Secret without a usable tls.crt and tls.key",
              {{"name", options_.secret_name}});
    return;
  }
  auto status = tls_.set_pem(*cert, *key);
  if (!status.ok()) {
    log::warn("Failed to load serving certificate from Secret",
              {{"error", status.error().message}});
    return;
  }
  certificate_loaded_ = true;
  log::info("Loaded serving certificate from Secret", {{"name", options_.secret_name}});
}

void Manager::trigger() {
  std::lock_guard<std::mutex> lock(loop_mu_);
  dirty_ = true;
  loop_cv_.notify_all();
}

void Manager::leader_loop() {
  auto backoff = std::chrono::milliseconds(500);
  for (;;) {
    {
      std::unique_lock<std::mutex> lock(loop_mu_);
      loop_cv_.wait_for(lock, options_.resync,
                        [this] { return stopping_ || (leading_ && dirty_); });
      if (stopping_) return;
      if (!leading_) continue;
      dirty_ = false;
      if (std::exchange(new_term_, false) && runtime_) runtime_->reset();
    }
    bool again = false;
    Status status = reconcile_once(again);
    if (status.ok()) {
      backoff = std::chrono::milliseconds(500);
      if (again) trigger();
      continue;
    }
    log::warn("Failed to reconcile; will retry",
              {{"error", status.error().message}, {"retryInMs", std::to_string(backoff.count())}});
    std::unique_lock<std::mutex> lock(loop_mu_);
    loop_cv_.wait_for(lock, backoff, [this] { return stopping_; });
    backoff = std::min(backoff * 2, std::chrono::milliseconds(30000));
    dirty_ = true;
  }
}

Status Manager::reconcile_once(bool& again) {
  PolicySet policies;
  {
    std::lock_guard<std::mutex> lock(policies_mu_);
    policies = policies_;
  }
  auto now = std::chrono::system_clock::now();

  bool bundle_published =
      !last_certificate_bundle_.empty() && last_published_bundle_ == last_certificate_bundle_;
  auto certs = certificates_.reconcile(bundle_published, now);
  if (!certs.ok()) return certs.error();
  last_certificate_bundle_ = certs->certificates.bundle_pem;

  auto published = webhooks_.reconcile(policies.in_force(), last_certificate_bundle_);
  if (!published.ok()) return published.error();
  last_published_bundle_ = published->ca_bundle_pem;
  // A staged CA is promoted on the next pass, once the API server trusts it.
  again = certs->step == RotationStep::StagedNextCa;

  // Runtime: publish the ruleset, release digests asked for, count alerts and respond.
  Status first_error;
  auto hash = rulesets_.publish(policies.in_force());
  if (!hash.ok()) {
    log::warn("Failed to publish the runtime ruleset", {{"error", hash.error().message}});
    first_error = hash.error();
  }
  if (auto released = releases_->reconcile(policies); !released.ok()) {
    log::warn("Failed to release quarantined digests", {{"error", released.error().message}});
    if (first_error.ok()) first_error = released;
  }
  const auto cached = violation_informer_->store().list();  // keeps the Events alive
  ViolationEvents violations;
  violations.reserve(cached.size());
  for (const auto& e : cached) violations.push_back(e.get());
  std::vector<api::NodeSensor> sensors;
  for (const auto& s : sensor_informer_->store().list()) sensors.push_back(*s);
  std::optional<RuntimeObservation> runtime;
  if (hash.ok()) {
    auto observed = runtime_->reconcile(policies, violations, violation_informer_->has_synced(),
                                        sensors, *hash, now);
    if (observed.ok()) {
      runtime = std::move(*observed);
    } else {
      log::warn("Failed to reconcile runtime alerts", {{"error", observed.error().message}});
      if (first_error.ok()) first_error = observed.error();
    }
  }
  if (sensor_informer_->has_synced()) {
    if (auto marked = sensor_health_.reconcile(sensors, now); !marked.ok() && first_error.ok()) {
      first_error = marked;
    }
  }

  auto tallies = reports_.collect(now, options_.report_stale_after);
  if (!tallies.ok()) {
    log::warn("Failed to collect admission reports", {{"error", tallies.error().message}});
  }
  auto written = statuses_.reconcile(
      policies, *published, tallies.ok() ? std::optional<PolicyTallies>(*tallies) : std::nullopt,
      runtime ? &*runtime : nullptr, format_rfc3339(now));
  return first_error.ok() ? written : first_error;
}

void Manager::report_loop() {
  for (;;) {
    bool stopping;
    {
      std::unique_lock<std::mutex> lock(loop_mu_);
      loop_cv_.wait_for(lock, options_.report_interval, [this] { return stopping_; });
      stopping = stopping_;
    }
    auto status =
        reports_.write(tally_.snapshot(options_.identity, std::chrono::system_clock::now()));
    if (!status.ok()) {
      log::warn("Failed to write admission report", {{"error", status.error().message}});
    }
    if (stopping) return;
  }
}

}  // namespace castellan::controller
