#include "sensor/kube_event_sink.h"

#include "api/runtime_violation.h"
#include "api/security_policy.h"

namespace castellan::sensor {
namespace {

constexpr size_t kShortContainerId = 12;  // as `crictl ps` and `docker ps` print ids

// The container as people know it: its name in the Pod, else its short id.
std::string container_label(const Alert& alert) {
  if (!alert.container_name.empty()) return alert.container_name;
  if (alert.container_id) return alert.container_id->substr(0, kShortContainerId);
  return {};
}

}  // namespace

std::string runtime_violation_message(const Alert& alert) {
  const std::string& program = alert.process.exe.empty() ? alert.process.comm : alert.process.exe;
  std::string what;
  if (alert.file) {
    what = "write to " + alert.file->path + " by " + program;
  } else if (alert.connect) {
    bool v6 = alert.connect->family == "ipv6";
    what = "connect to " + (v6 ? "[" + alert.connect->addr + "]" : alert.connect->addr) + ":" +
           std::to_string(alert.connect->port) + " by " + program;
  } else {
    what = "exec of " + program;
  }
  std::string message = "SecurityPolicy " + alert.policy + " rule " + alert.rule + ": " + what;
  if (std::string container = container_label(alert); !container.empty()) {
    message += " in container " + container;
  }
  if (alert.action == "Kill") message += "; process killed";
  return message;
}

std::optional<ViolationEvent> runtime_violation_event(const Alert& alert) {
  if (!alert.pod) return std::nullopt;
  ViolationEvent out;
  out.pod.api_version = "v1";
  out.pod.kind = "Pod";
  out.pod.namespace_ = alert.pod->namespace_;
  out.pod.name = alert.pod->name;
  out.pod.uid = alert.pod->uid;  // kubectl describe pod finds Events by involvedObject.uid
  out.message = runtime_violation_message(alert);
  auto& annotations = out.extras.annotations;
  annotations[api::kViolationPolicyAnnotation] = alert.policy;
  annotations[api::kViolationRuleAnnotation] = alert.rule;
  annotations[api::kViolationActionAnnotation] = alert.action == "Kill" ? "Kill" : "Alert";
  if (!alert.node.empty()) annotations[api::kViolationNodeAnnotation] = alert.node;
  if (alert.container_id && !alert.container_id->empty()) {
    annotations[api::kViolationContainerAnnotation] = *alert.container_id;
  }
  kube::ObjectReference policy;  // cluster-scoped: no namespace
  policy.api_version = api::kApiVersion;
  policy.kind = api::kSecurityPolicyKind;
  policy.name = alert.policy;
  out.extras.related = policy;
  return out;
}

void KubeEventSink::emit(const Alert& alert) {
  auto event = runtime_violation_event(alert);
  if (!event) return;
  recorder_.event(event->pod, "Warning", api::kRuntimeViolationReason, event->message,
                  event->extras);
}

}  // namespace castellan::sensor
