#include "controller/policy_status_reconciler.h"

#include <algorithm>

#include "api/security_policy_codec.h"
#include "common/log.h"
#include "controller/policy_status.h"
#include "controller/webhook_configuration.h"
#include "kube/conflict.h"

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

const kube::GroupVersionResource& security_policy_gvr() {
  static const kube::GroupVersionResource gvr{"castellan.io", "v1alpha1", "securitypolicies",
                                              false};
  return gvr;
}

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

Status PolicyStatusReconciler::ensure_finalizer(const std::string& name, bool present) {
  auto updated = kube::update_with_retry(*api_, security_policy_gvr(), "", name, [&](json& object) {
    auto& finalizers = object["metadata"]["finalizers"];
    if (!finalizers.is_array()) finalizers = json::array();
    auto it = std::find(finalizers.begin(), finalizers.end(), kPolicyFinalizer);
    if (present && it == finalizers.end()) finalizers.push_back(kPolicyFinalizer);
    if (!present && it != finalizers.end()) finalizers.erase(it);
    return Status::Ok();
  });
  if (!updated.ok() && updated.error().code == 404) return Status::Ok();  // already gone
  if (!updated.ok()) return updated.error();
  log::info(present ? "Added finalizer to SecurityPolicy" : "Released finalizer of SecurityPolicy",
            {{"name", name}});
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
                                         const PolicyTallies& tallies, const std::string& now) {
  Status first_error;
  auto keep = [&](Status s) {
    if (!s.ok() && first_error.ok()) first_error = s;
  };
  for (const auto& [name, state] : policies.states()) {
    if (state.deleting) {
      // Webhooks no longer serve it (reconciled before this), so the finalizer may go.
      bool served = published.validating_generations.count(name) != 0 ||
                    published.mutating_generations.count(name) != 0;
      if (state.has_finalizer && !served) keep(ensure_finalizer(name, false));
      continue;
    }
    if (!state.has_finalizer) keep(ensure_finalizer(name, true));

    api::SecurityPolicy policy;
    if (state.last_good) policy.spec = state.last_good->spec;
    policy.metadata = state.metadata;
    policy.status = state.status;
    bool changed = update_policy_conditions(policy, observe_policy(state, published), now);
    if (auto t = tallies.find(name); t != tallies.end()) {
      const auto& tally = t->second;
      changed |= policy.status.admission.allowed != tally.counts.allowed ||
                 policy.status.admission.denied != tally.counts.denied ||
                 policy.status.admission.warned != tally.counts.warned;
      policy.status.admission = tally.counts;
      auto recent = newest_violations(tally.recent);
      bool recent_changed =
          recent.size() != policy.status.recentViolations.size() ||
          !std::equal(recent.begin(), recent.end(), policy.status.recentViolations.begin(),
                      [](const api::Violation& a, const api::Violation& b) {
                        return a.time == b.time && a.name == b.name && a.rule == b.rule &&
                               a.message == b.message;
                      });
      changed |= recent_changed;
      policy.status.recentViolations = std::move(recent);
      record_denials(state, tally);
    }
    if (!changed) continue;
    // Merge patch of the fields this reconciler owns; others (runtime, quarantine) are kept.
    json full = api::to_json(policy.status);
    json patch = {{"status",
                   {{"observedGeneration", full.value("observedGeneration", json(0))},
                    {"conditions", full.value("conditions", json::array())},
                    {"admission", full.value("admission", json::object())},
                    {"runtime", full.value("runtime", json::object())},
                    {"recentViolations", full.value("recentViolations", json::array())}}}};
    auto patched = api_->patch(security_policy_gvr(), "", name, kube::PatchType::Merge,
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
