#include "controller/runtime_reconciler.h"

#include "common/log.h"
#include "controller/policy_reference.h"
#include "controller/responses/notify_payload.h"
#include "controller/responses/response_plan.h"
#include "controller/time_format.h"

namespace castellan::controller {
namespace {

kube::ObjectReference pod_reference(const std::string& namespace_, const std::string& name,
                                    const std::string& uid) {
  kube::ObjectReference ref;
  ref.api_version = "v1";
  ref.kind = "Pod";
  ref.namespace_ = namespace_;
  ref.name = name;
  ref.uid = uid;
  return ref;
}

}  // namespace

RuntimeReconciler::RuntimeReconciler(kube::ApiClientPtr api, std::string namespace_,
                                     ProtectedNamespaces protected_namespaces,
                                     kube::EventRecorder* events, Notifier* notifier)
    : api_(api),
      protected_(std::move(protected_namespaces)),
      events_(events),
      notifier_(notifier),
      store_(api, std::move(namespace_)),
      actions_(api) {}

void RuntimeReconciler::reset() { ledger_.reset(); }

void RuntimeReconciler::on_notified(NotifyResult result) {
  std::lock_guard<std::mutex> lock(notified_mu_);
  notified_.push_back(std::move(result));
}

Status RuntimeReconciler::ensure_ledger(const PolicySet& policies, const ViolationEvents& events,
                                        bool events_complete) {
  if (ledger_) return Status::Ok();
  auto loaded = store_.load();
  if (!loaded) return loaded.error();
  if (*loaded) {
    ledger_ = std::move(**loaded);
    return Status::Ok();
  }
  if (!events_complete) {
    return Error::make(
        "Waiting for the RuntimeViolation Event watch to sync before creating the "
        "runtime ledger");
  }
  std::map<std::string, std::pair<std::string, api::SecurityPolicyStatus>> statuses;
  for (const auto& [name, state] : policies.states()) {
    if (!state.deleting) statuses[name] = {state.metadata.uid, state.status};
  }
  ledger_ = seed_ledger(statuses, events);
  if (auto saved = store_.save(*ledger_); !saved.ok()) {
    ledger_.reset();
    return saved.error();
  }
  log::info(
      "Created the runtime ledger from SecurityPolicy status",
      {{"name", kRuntimeLedgerName}, {"eventsTakenAsCounted", std::to_string(events.size())}});
  return Status::Ok();
}

Result<RuntimeObservation> RuntimeReconciler::reconcile(const PolicySet& policies,
                                                        const ViolationEvents& events,
                                                        bool events_complete,
                                                        const std::vector<api::NodeSensor>& sensors,
                                                        const std::string& ruleset_hash,
                                                        std::chrono::system_clock::time_point now) {
  if (auto ready = ensure_ledger(policies, events, events_complete); !ready.ok()) {
    return ready.error();
  }
  bool changed = record_notifications(policies);

  PolicyUids uids;
  for (const auto& [name, state] : policies.states()) {
    if (!state.deleting && !state.metadata.uid.empty()) uids[name] = state.metadata.uid;
  }
  bool counted = false;
  auto alerts = count_new_alerts(*ledger_, events, uids, events_complete, &counted);
  changed |= counted;
  const std::string now_text = format_rfc3339(now);
  for (const auto& alert : alerts) {
    const PolicyState* state = policies.find(alert.event.policy);
    if (state != nullptr && state->last_good) respond(*state, alert, now_text);
  }
  if (changed) {
    if (auto saved = store_.save(*ledger_); !saved.ok()) {
      // Read it again next time: what was counted here is counted again from the stored marks,
      // and the actions taken find their work done.
      ledger_.reset();
      return saved.error();
    }
  }
  if (!alerts.empty()) {
    log::info("Counted runtime alerts", {{"events", std::to_string(alerts.size())}});
  }
  return RuntimeObservation{ledger_->policies, observe_fleet(sensors, ruleset_hash, now)};
}

bool RuntimeReconciler::record_notifications(const PolicySet& policies) {
  std::vector<NotifyResult> done;
  {
    std::lock_guard<std::mutex> lock(notified_mu_);
    done.swap(notified_);
  }
  for (auto& result : done) {
    const PolicyState* state = policies.find(result.policy);
    if (state == nullptr || state->deleting) continue;
    auto& runtime = record_for(*ledger_, result.policy, state->metadata.uid);
    if (result.record.succeeded) {
      ++runtime.responses.taken;
    } else {
      ++runtime.responses.failed;
      ++runtime.responses.notifyFailures;
    }
    record_action(*state, result.pod_uid, std::move(result.record), runtime);
  }
  return !done.empty();
}

void RuntimeReconciler::respond(const PolicyState& state, const NewAlert& alert,
                                const std::string& now) {
  const auto& runtime_spec = state.last_good->spec.runtime;
  auto plan = plan_responses(runtime_spec, alert.event.rule);
  if (plan.empty()) return;
  const std::string& name = state.metadata.name;
  auto& runtime = record_for(*ledger_, name, state.metadata.uid);
  const auto moment = std::chrono::steady_clock::now();
  const std::function<bool()> admit = [&] {
    return limiter_.try_take(name, runtime_spec.maxActionsPerMinute, moment);
  };
  const auto& e = alert.event;
  const bool protected_namespace = protected_.contains(e.pod_namespace);
  std::vector<std::string> others;  // what the notification says is done besides
  for (const auto& p : plan) {
    if (p.action != api::ResponseAction::Notify && !protected_namespace) {
      others.push_back(api::to_string(p.action));
    }
  }
  bool skipped = false;
  for (const auto& p : plan) {
    api::ActionRecord record{
        now, api::to_string(p.action), e.rule, e.pod_namespace, e.pod, e.node, "", true, ""};
    if (p.action == api::ResponseAction::Notify) {
      if (!admit()) {
        ++runtime.responses.skipped;
        skipped = true;
        continue;
      }
      notify(state, alert, *p.response, others, std::move(record), runtime);
      continue;
    }
    if (protected_namespace) {
      // Before any read or rate-limit token: nothing is done to a protected namespace's pods,
      // their nodes or their images.
      ++runtime.responses.skipped;
      record.succeeded = false;
      record.message =
          "refused: Castellan never acts on pods in kube-system or its own namespaces (" +
          protected_.text() + ")";
      record_action(state, e.pod_uid, std::move(record), runtime);
      continue;
    }
    auto result = actions_.run(p.action, ActionRequest{e, *p.response, name, now, admit});
    switch (result.outcome) {
      case ActionOutcome::AlreadyDone:
        continue;
      case ActionOutcome::RateLimited:
        ++runtime.responses.skipped;
        skipped = true;
        continue;
      case ActionOutcome::Done:
        ++runtime.responses.taken;
        break;
      case ActionOutcome::Failed:
        ++runtime.responses.failed;
        record.succeeded = false;
        break;
      case ActionOutcome::Refused:
        ++runtime.responses.skipped;
        record.succeeded = false;
        break;
    }
    record.message = result.message;
    record.image = result.image;
    record_action(state, e.pod_uid, std::move(record), runtime);
  }
  if (skipped && events_ != nullptr) {
    // One message for every skip, so that they aggregate into one Event whose count rises.
    events_->event(policy_reference(state.metadata), "Warning", "ResponseSkipped",
                   "Skipped response actions: SecurityPolicy " + name + " took its " +
                       std::to_string(runtime_spec.maxActionsPerMinute) +
                       " actions of the last minute (spec.runtime.maxActionsPerMinute)");
  }
}

void RuntimeReconciler::notify(const PolicyState& state, const NewAlert& alert,
                               const api::ResponseSpec& response,
                               const std::vector<std::string>& actions, api::ActionRecord record,
                               PolicyRuntimeRecord& runtime) {
  std::string failure;
  if (notifier_ == nullptr) {
    failure = "not sent: this manager has no notifier";
  } else if (!response.notify) {
    failure = "not sent: the response has no notify.url";
  } else {
    NotifyRequest request{state.metadata.name,
                          response.notify->url,
                          response.notify->headersSecret,
                          notify_body(alert.event, alert.new_alerts, actions),
                          record,
                          alert.event.pod_uid};
    if (notifier_->submit(std::move(request))) return;  // counted when it completes
    failure = "not sent: the notify queue is full";
  }
  ++runtime.responses.failed;
  ++runtime.responses.notifyFailures;
  record.succeeded = false;
  record.message = failure;
  record_action(state, alert.event.pod_uid, std::move(record), runtime);
}

void RuntimeReconciler::record_action(const PolicyState& state, const std::string& pod_uid,
                                      api::ActionRecord action, PolicyRuntimeRecord& runtime) {
  if (events_ != nullptr) {
    const std::string type = action.succeeded ? "Normal" : "Warning";
    const std::string reason = action.succeeded ? "ResponseAction" : "ResponseActionFailed";
    const std::string pod = action.namespace_ + "/" + action.pod;
    events_->event(pod_reference(action.namespace_, action.pod, pod_uid), type, reason,
                   "SecurityPolicy " + state.metadata.name + " " + action.action + " (rule " +
                       action.rule + "): " + action.message);
    events_->event(
        policy_reference(state.metadata), type, reason,
        action.action + " on Pod " + pod + " (rule " + action.rule + "): " + action.message);
  }
  log::info(action.succeeded ? "Took response action" : "Response action did not complete",
            {{"policy", state.metadata.name},
             {"action", action.action},
             {"pod", action.namespace_ + "/" + action.pod},
             {"message", action.message}});
  add_action(runtime, std::move(action));
}

}  // namespace castellan::controller
