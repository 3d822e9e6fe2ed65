#include "controller/policy_status_reconciler.h"

#include <algorithm>

#include "api/security_policy_codec.h"
#include "common/log.h"
#include "controller/policy_status.h"
#include "controller/webhook_configuration.h"
#include "kube/conflict.h"
#include "kube/resources.h"

namespace castellan::controller {
namespace {

using nlohmann::json;

std::optional<int64_t> published_generation(const std::map<std::string, int64_t>& generations,
                                            const std::string& name) {
  auto it = generations.find(name);
  if (it == generations.end()) return std::nullopt;
  return it->second;
}

}  // namespace

PolicyObservation observe_policy(const PolicyState& state, const PublishedWebhooks& published) {
  PolicyObservation observed;
  observed.validation_errors = state.errors;
  if (state.last_good) observed.last_good_generation = state.last_good->metadata.generation;
  if (!state.last_good) {
    observed.needs_webhook = false;
    return observed;
  }
  const auto& name = state.metadata.name;
  bool validate = needs_validation(*state.last_good);
  bool mutate = needs_mutation(*state.last_good);
  observed.needs_webhook = validate || mutate;
  // Served only when every configuration the policy needs carries its generation.
  std::optional<int64_t> served;
  auto v = published_generation(published.validating_generations, name);
  auto m = published_generation(published.mutating_generations, name);
  if (validate && mutate) {
    if (v && m) served = std::min(*v, *m);
  } else if (validate) {
    served = v;
  } else if (mutate) {
    served = m;
  }
  observed.configured_generation = served;
  return observed;
}

PolicyStatusReconciler::PolicyStatusReconciler(kube::ApiClientPtr api, kube::EventRecorder* events)
    : api_(std::move(api)), events_(events) {}

Status PolicyStatusReconciler::release_finalizer(const std::string& name) {
  auto updated = kube::update_with_retry(*api_, kube::kSecurityPolicies, "", name, [&](json& object) {
    auto& finalizers = object["metadata"]["finalizers"];
    if (!finalizers.is_array()) return Status::Ok();
    auto it = std::find(finalizers.begin(), finalizers.end(), kPolicyFinalizer);
    if (it != finalizers.end()) finalizers.erase(it);
    return Status::Ok();
  });
  if (!updated.ok() && updated.error().code == 404) return Status::Ok();  // already gone
  if (!updated.ok()) return updated.error();
  log::info("Released finalizer of SecurityPolicy", {{"name", name}});
  return Status::Ok();
}

void PolicyStatusReconciler::record_denials(const PolicyState& state, const PolicyTally& tally) {
  if (events_ == nullptr || tally.recent.empty()) return;
  auto& newest_seen = newest_event_time_[state.metadata.name];
  json reference = {{"apiVersion", "castellan.io/v1alpha1"},
                    {"kind", "SecurityPolicy"},
                    {"metadata", {{"name", state.metadata.name}, {"uid", state.metadata.uid}}}};
  auto ref = kube::ObjectReference::to(reference);
  // One Event per request not evented yet (recent holds one entry per failed rule, newest
  // first), oldest first. Repeats of one resource and rule set aggregate into one Event.
  std::map<std::string, std::vector<const api::Violation*>> requests;  // by time + resource
  for (const auto& v : tally.recent) {
    if (v.time <= newest_seen) continue;
    requests[v.time + " " + v.kind + " " + v.namespace_ + "/" + v.name].push_back(&v);
  }
  for (const auto& [key, violations] : requests) {
    const auto& first = *violations.front();
    std::string rules;
    for (auto it = violations.rbegin(); it != violations.rend(); ++it) {
      rules += (rules.empty() ? "" : ", ") + (*it)->rule;
    }
    std::string resource =
        first.kind + " " + (first.namespace_.empty() ? "" : first.namespace_ + "/") + first.name;
    events_->event(ref, "Warning", "AdmissionViolation", resource + " violated " + rules);
  }
  newest_seen = std::max(newest_seen, tally.recent.front().time);
}

Status PolicyStatusReconciler::reconcile(const PolicySet& policies,
                                         const PublishedWebhooks& published,
                                         const std::optional<PolicyTallies>& tallies,
                                         const RuntimeObservation* runtime,
                                         const std::string& now) {
  Status first_error;
  auto keep = [&](Status s) {
    if (!s.ok() && first_error.ok()) first_error = s;
  };
  static const PolicyRuntimeRecord kNoAlerts;
  for (const auto& [name, state] : policies.states()) {
    // Policies carry no finalizer: an uninstall deletes the CRD together with the manager's
    // RBAC, and a finalizer that nobody may release any more would keep the CRD terminating
    // for ever. Every replica drops a deleted policy from its snapshot as soon as its informer
    // sees the deletion. Finalizers that earlier releases added are released here.
    if (state.has_finalizer) keep(release_finalizer(name));
    if (state.deleting) continue;

    api::SecurityPolicy policy;
    if (state.last_good) policy.spec = state.last_good->spec;
    policy.metadata = state.metadata;
    policy.status = state.status;
    auto& status = policy.status;
    PolicyObservation observed = observe_policy(state, published);
    observed.has_runtime_rules = state.last_good && !state.last_good->spec.runtime.rules.empty();
    if (runtime != nullptr && observed.has_runtime_rules) {
      observed.sensors = sensors_synced(runtime->fleet);
    }
    bool changed = update_policy_conditions(policy, observed, now);

    const PolicyTally* tally = nullptr;
    if (tallies) {
      if (auto t = tallies->find(name); t != tallies->end()) tally = &t->second;
    }
    if (tally != nullptr) {
      changed |= status.admission.allowed != tally->counts.allowed ||
                 status.admission.denied != tally->counts.denied ||
                 status.admission.warned != tally->counts.warned;
      status.admission = tally->counts;
      record_denials(state, *tally);
    }
    if (runtime != nullptr) {
      const PolicyRuntimeRecord* record = &kNoAlerts;
      if (auto r = runtime->records.find(name);
          r != runtime->records.end() && r->second.uid == state.metadata.uid) {
        record = &r->second;
      }
      api::RuntimeCounts counts{record->alerts, record->killed,
                                observed.has_runtime_rules ? runtime->fleet.nodes_in_sync() : "0/0"};
      changed |= counts.alerts != status.runtime.alerts || counts.killed != status.runtime.killed ||
                 counts.nodesInSync != status.runtime.nodesInSync ||
                 record->responses != status.responses ||
                 record->recentActions != status.recentActions;
      status.runtime = counts;
      status.responses = record->responses;
      status.recentActions = record->recentActions;
      // recentViolations holds both halves, so it is rewritten only when both are known.
      if (tallies) {
        std::vector<api::Violation> both = tally != nullptr ? tally->recent : std::vector<api::Violation>{};
        both.insert(both.end(), record->recentViolations.begin(), record->recentViolations.end());
        auto recent = newest_violations(std::move(both));
        changed |= recent != status.recentViolations;
        status.recentViolations = std::move(recent);
      }
    }
    if (!changed) continue;
    // Merge patch of the fields this reconciler owns; quarantinedDigests (written by the
    // QuarantineImage response and its release) is kept.
    json full = api::to_json(status);
    json patch = {{"status",
                   {{"observedGeneration", full.value("observedGeneration", json(0))},
                    {"conditions", full.value("conditions", json::array())},
                    {"admission", full.value("admission", json::object())},
                    {"runtime", full.value("runtime", json::object())},
                    {"responses", full.value("responses", json::object())},
                    {"recentActions", full.value("recentActions", json::array())},
                    {"recentViolations", full.value("recentViolations", json::array())}}}};
    auto patched = api_->patch(kube::kSecurityPolicies, "", name, kube::PatchType::Merge,
                               patch.dump(), {"", false, "status"});
    if (!patched.ok() && patched.error().code != 404) {
      log::warn("Failed to update SecurityPolicy status",
                {{"name", name}, {"error", patched.error().message}});
      keep(patched.error());
    }
  }
  return first_error;
}

}  // namespace castellan::controller
