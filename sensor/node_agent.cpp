#include "sensor/node_agent.h"

#include <algorithm>
#include <ctime>

#include "common/log.h"
#include "sensor/container_index.h"
#include "sensor/pod_containers.h"
#include "sensor/ruleset_compiler.h"
#include "sensor/watch_transforms.h"

namespace castellan::sensor {
namespace {

using policy::Labels;

Labels labels_of(const nlohmann::json& object) {
  Labels out;
  auto meta = object.find("metadata");
  if (meta == object.end() || !meta->is_object()) return out;
  auto labels = meta->find("labels");
  if (labels == meta->end() || !labels->is_object()) return out;
  for (const auto& [k, v] : labels->items()) {
    if (v.is_string()) out[k] = v.get<std::string>();
  }
  return out;
}

std::string rfc3339_now() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

// The hash a ruleset ConfigMap claims (data.hash), read without decoding the ruleset.
std::string claimed_hash(const nlohmann::json& configmap) {
  auto data = configmap.find("data");
  if (data == configmap.end() || !data->is_object()) return {};
  auto hash = data->find(api::kRulesetHashKey);
  return hash != data->end() && hash->is_string() ? hash->get<std::string>() : std::string{};
}

void add(SensorStats& into, const SensorStats& s) {
  into.kernel.seen += s.kernel.seen;
  into.kernel.filtered += s.kernel.filtered;
  into.kernel.submitted += s.kernel.submitted;
  into.kernel.dropped_ringbuf += s.kernel.dropped_ringbuf;
  into.kernel.dropped_path += s.kernel.dropped_path;
  into.kernel.killed += s.kernel.killed;
  into.user.records += s.user.records;
  into.user.decode_errors += s.user.decode_errors;
  into.user.alerts += s.user.alerts;
  into.user.killed += s.user.killed;
  into.user.unmatched += s.user.unmatched;
}

}  // namespace

NodeAgent::NodeAgent(kube::ApiClientPtr api, NodeAgentOptions options, AlertSink& sink)
    : api_(std::move(api)),
      options_(std::move(options)),
      sink_(sink),
      containers_(std::make_shared<ContainerTable>(options_.container_capacity)),
      reporter_(api_, options_.node_name),
      host_(HostFacts::probe()) {}

NodeAgent::~NodeAgent() { stop(); }

Status NodeAgent::start(kube::Duration sync_timeout) {
  kube::Informer<>::Handlers handlers{
      [this](const std::string&, const nlohmann::json&) { mark_dirty(); },
      [this](const std::string&, const nlohmann::json&, const nlohmann::json&) { mark_dirty(); },
      [this](const std::string&, const nlohmann::json&) { mark_dirty(); }};

  kube::InformerOptions rulesets;
  rulesets.reflector.gvr = {"", "v1", "configmaps", true};
  rulesets.reflector.namespace_ = options_.namespace_;
  rulesets.reflector.field_selector = "metadata.name=" + options_.ruleset_configmap;
  rulesets_ = std::make_unique<kube::Informer<>>(api_, rulesets);

  kube::InformerOptions pods;
  pods.reflector.gvr = {"", "v1", "pods", true};
  pods.reflector.field_selector = "spec.nodeName=" + options_.node_name;
  pods_ = std::make_unique<kube::Informer<>>(api_, pods, [](const nlohmann::json& pod) -> Result<nlohmann::json> {
    return slim_pod(pod);
  });

  kube::InformerOptions namespaces;
  namespaces.reflector.gvr = {"", "v1", "namespaces", false};
  namespaces_ = std::make_unique<kube::Informer<>>(api_, namespaces, [](const nlohmann::json& ns) -> Result<nlohmann::json> {
    return slim_namespace(ns);
  });

  for (auto* informer : {rulesets_.get(), pods_.get(), namespaces_.get()}) {
    informer->add_handlers(handlers);
    informer->start();
  }
  for (auto* informer : {rulesets_.get(), pods_.get(), namespaces_.get()}) {
    if (!informer->wait_for_sync(sync_timeout)) {
      return Error::make("the ConfigMap, Pod and Namespace watches did not list within the "
                         "sync timeout; check the kubeconfig and RBAC", "Timeout");
    }
  }
  log::info("Synced watches", {{"node", options_.node_name},
                               {"pods", std::to_string(pods_->store().keys().size())}});
  return Status::Ok();
}

void NodeAgent::run_in_background() {
  if (!thread_.joinable()) thread_ = std::thread([this] { loop(); });
}

void NodeAgent::stop() {
  {
    std::lock_guard lock(wake_mu_);
    stopping_ = true;
  }
  wake_cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  for (auto* informer : {rulesets_.get(), pods_.get(), namespaces_.get()}) {
    if (informer) informer->stop();
  }
  std::lock_guard lock(state_mu_);
  if (sensor_) {
    sensor_->stop();
    add(carried_, sensor_->stats());
    sensor_.reset();
  }
}

void NodeAgent::mark_dirty() {
  {
    std::lock_guard lock(wake_mu_);
    dirty_ = true;
  }
  wake_cv_.notify_all();
}

void NodeAgent::loop() {
  auto next_status = std::chrono::steady_clock::now();
  std::unique_lock lock(wake_mu_);
  while (!stopping_) {
    bool dirty = std::exchange(dirty_, false);
    lock.unlock();
    auto now = std::chrono::steady_clock::now();
    bool due = now >= next_status;
    // A new ruleset is reported at once, so its hash shows as soon as it is loaded.
    if (dirty && sync_ruleset()) due = true;
    // Also rescanned when due: a container's cgroup may appear after its Pod's status.
    if (dirty || due) sync_scope();
    if (!synced_) {
      std::lock_guard state_lock(state_mu_);
      synced_ = true;
    }
    if (due) {
      report_status();
      next_status = now + options_.status_period;
    }
    lock.lock();
    wake_cv_.wait_until(lock, next_status, [this] { return dirty_ || stopping_; });
  }
}

void NodeAgent::set_ruleset_failure(const std::string& hash, const std::string& error) {
  std::lock_guard lock(state_mu_);
  ruleset_found_ = true;
  failed_hash_ = hash;
  ruleset_error_ = error;
  last_error_ = "ruleset " +
                (hash.empty() ? options_.namespace_ + "/" + options_.ruleset_configmap : hash) +
                ": " + error;
}

bool NodeAgent::sync_ruleset() {
  auto configmap = rulesets_->store().get(options_.namespace_, options_.ruleset_configmap);
  std::string version = configmap ? kube::object_resource_version(*configmap) : "";
  if (version == loaded_version_) return false;
  loaded_version_ = version;
  std::string where = options_.namespace_ + "/" + options_.ruleset_configmap;
  if (!configmap) {
    log::warn("Found no runtime ruleset ConfigMap; keeping the rules loaded", {{"configMap", where}});
    std::lock_guard lock(state_mu_);
    ruleset_found_ = false;
    failed_hash_.clear();  // there is no newest ruleset to have failed
    ruleset_error_.clear();
    last_error_ = "runtime ruleset ConfigMap " + where + " not found";
    return true;
  }
  auto ruleset = api::ruleset_from_configmap(*configmap);
  if (!ruleset.ok()) {
    log::error("Failed to decode the runtime ruleset ConfigMap",
               {{"configMap", where}, {"error", ruleset.error().message}});
    set_ruleset_failure(claimed_hash(*configmap), ruleset.error().message);
    return true;
  }
  auto compiled = compile_ruleset(ruleset->policies);
  if (!compiled.ok()) {
    log::error("Failed to compile the runtime ruleset", {{"hash", ruleset->hash}, {"error", compiled.error().message}});
    set_ruleset_failure(ruleset->hash, compiled.error().message);
    return true;
  }
  for (const auto& w : compiled->warnings) log::warn("Compiled a rule with a limitation", {{"warning", w}});
  auto scope = RuleScope::compile(ruleset->policies, *compiled);
  if (!scope.ok()) {
    log::error("Failed to scope the runtime ruleset",
               {{"hash", ruleset->hash}, {"error", scope.error().message}});
    set_ruleset_failure(ruleset->hash, scope.error().message);
    return true;
  }

  std::unique_ptr<Sensor> next;
  if (!compiled->empty()) {
    Scope none;  // nothing in scope until the Pod scope below is written
    auto program = SensorProgram::load(*compiled, none, options_.program);
    if (!program.ok()) {
      log::error("Failed to load the sensor's BPF programs", {{"hash", ruleset->hash}, {"error", program.error().message}});
      set_ruleset_failure(ruleset->hash, program.error().message);
      return true;
    }
    ProcessorOptions processor;
    processor.node = options_.node_name;
    processor.boot_to_unix_ns = EventProcessor::boot_to_unix_offset();
    std::string mount = options_.cgroup_mount;
    processor.cgroup_path = [mount](uint64_t id) { return cgroup_path_of(mount, id); };
    processor.containers = containers_;
    size_t rules = compiled->rules.size();
    next = std::make_unique<Sensor>(std::move(*program),
                                    std::make_unique<EventProcessor>(std::move(*compiled), processor),
                                    sink_);
    log::info("Loaded runtime ruleset", {{"hash", ruleset->hash}, {"rules", std::to_string(rules)}});
  } else {
    log::info("Loaded an empty runtime ruleset; detached the BPF programs", {{"hash", ruleset->hash}});
  }

  std::unique_ptr<Sensor> previous;
  {
    std::lock_guard lock(state_mu_);
    scope_ = std::move(*scope);
    previous = std::move(sensor_);
    sensor_ = std::move(next);
    loaded_hash_ = ruleset->hash;
    ruleset_found_ = true;
    failed_hash_.clear();
    ruleset_error_.clear();
    last_error_.clear();
  }
  sync_scope();
  {
    std::lock_guard lock(state_mu_);
    if (sensor_) sensor_->start();
    if (previous) {
      previous->stop();
      add(carried_, previous->stats());
    }
  }
  previous.reset();
  if (sensor_) {
    log::info("Attached BPF programs", {{"ready", "true"}, {"hash", ruleset->hash}});
  }
  return true;
}

void NodeAgent::sync_scope() {
  std::lock_guard lock(state_mu_);
  if (!sensor_ || !scope_) return;
  auto index = ContainerIndex::scan(options_.cgroup_mount, options_.cgroup_mount);
  if (!index.ok()) {
    log::warn("Failed to scan the cgroup tree for containers", {{"error", index.error().message}});
    last_error_ = "scanning cgroups: " + index.error().message;
    return;
  }
  std::vector<std::pair<CgroupInfo, uint64_t>> rules;
  size_t matched = 0;
  for (const auto& pod : pods_->store().list()) {
    auto containers = pod_containers_from_json(*pod);
    if (!containers.ok()) {
      log::debug("Skipped a Pod", {{"error", containers.error().message}});
      continue;
    }
    Labels pod_labels = labels_of(*pod);
    Labels ns_labels;
    if (auto ns = namespaces_->store().get("", containers->namespace_)) ns_labels = labels_of(*ns);
    ns_labels.emplace("kubernetes.io/metadata.name", containers->namespace_);
    policy::MatchTarget target{containers->namespace_, &ns_labels, &pod_labels};
    uint64_t mask = scope_->rules_for(target);
    for (const auto& container : containers->containers) {
      auto cgroup = index->find(container.ref.id);
      if (!cgroup) continue;
      containers_->put(cgroup->id,
                       ContainerInfo{container.ref.id, containers->namespace_, containers->name,
                                     containers->uid, container.name});
      if (mask == 0) continue;
      rules.emplace_back(*cgroup, mask);
      ++matched;
    }
  }
  if (auto st = sensor_->program().set_cgroup_rules(rules); !st.ok()) {
    log::error("Failed to write the per-cgroup rules", {{"error", st.error().message}});
    last_error_ = st.error().message;
    return;
  }
  log::debug("Wrote the per-cgroup rules", {{"containers", std::to_string(matched)}});
}

void NodeAgent::report_status() {
  api::NodeSensorStatus status;
  status.kernel = host_.kernel;
  status.btf = host_.btf;
  SensorStats s = stats();
  bool found = true;
  {
    std::lock_guard lock(state_mu_);
    if (sensor_) status.programsAttached = sensor_->attached();
    status.rulesetHash = loaded_hash_;
    status.failedRulesetHash = failed_hash_;
    status.rulesetError = ruleset_error_;
    found = ruleset_found_;
    status.lastError = last_error_;
    if (status.lastError.empty() && sensor_) status.lastError = sensor_->last_error();
  }
  status.conditions = node_sensor_conditions(
      status, found ? "" : options_.namespace_ + "/" + options_.ruleset_configmap);
  status.heartbeatIntervalSeconds =
      std::max<int64_t>(1, std::chrono::ceil<std::chrono::seconds>(options_.status_period).count());
  status.eventsSeen = static_cast<int64_t>(s.kernel.seen);
  uint64_t dropped = s.kernel.dropped_ringbuf + s.kernel.dropped_path;
  if (options_.alerts_dropped) dropped += options_.alerts_dropped();
  status.eventsDropped = static_cast<int64_t>(dropped);
  status.alerts = static_cast<int64_t>(s.user.alerts);
  status.killed = static_cast<int64_t>(s.kernel.killed);
  status.lastHeartbeatTime = rfc3339_now();
  if (auto st = reporter_.report(status); !st.ok()) {
    log::warn("Failed to update NodeSensor status", {{"node", options_.node_name}, {"error", st.error().message}});
  }
}

SensorStats NodeAgent::stats() const {
  std::lock_guard lock(state_mu_);
  SensorStats out = carried_;
  if (sensor_) add(out, sensor_->stats());
  return out;
}

std::vector<std::string> NodeAgent::attached() const {
  std::lock_guard lock(state_mu_);
  return sensor_ ? sensor_->attached() : std::vector<std::string>{};
}

std::string NodeAgent::ruleset_hash() const {
  std::lock_guard lock(state_mu_);
  return loaded_hash_;
}

std::string NodeAgent::failed_ruleset_hash() const {
  std::lock_guard lock(state_mu_);
  return failed_hash_;
}

std::string NodeAgent::ruleset_error() const {
  std::lock_guard lock(state_mu_);
  return ruleset_error_;
}

std::string NodeAgent::not_ready_reason() const {
  std::lock_guard lock(state_mu_);
  if (!synced_) return "the runtime ruleset has not been loaded yet";
  if (!ruleset_error_.empty()) {
    return "the newest runtime ruleset " + failed_hash_ + " could not be loaded: " + ruleset_error_;
  }
  return {};
}

}  // namespace castellan::sensor
