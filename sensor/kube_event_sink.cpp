#include "sensor/kube_event_sink.h"

namespace castellan::sensor {

std::string runtime_violation_message(const Alert& alert) {
  std::string what;
  if (alert.file) {
    what = "write to " + alert.file->path;
  } else if (alert.connect) {
    bool v6 = alert.connect->family == "ipv6";
    what = "connect to " + (v6 ? "[" + alert.connect->addr + "]" : alert.connect->addr) + ":" +
           std::to_string(alert.connect->port);
  } else {
    what = "exec";
  }
  std::string message = "SecurityPolicy " + alert.policy + " rule " + alert.rule + ": " + what +
                        " by " + (alert.process.exe.empty() ? alert.process.comm : alert.process.exe) +
                        " (pid " + std::to_string(alert.process.pid) + ")";
  if (alert.action == "Kill") message += "; process killed";
  return message;
}

void KubeEventSink::emit(const Alert& alert) {
  if (!alert.pod) return;
  kube::ObjectReference pod;
  pod.api_version = "v1";
  pod.kind = "Pod";
  pod.namespace_ = alert.pod->namespace_;
  pod.name = alert.pod->name;
  pod.uid = alert.pod->uid;  // kubectl describe pod finds Events by involvedObject.uid
  recorder_.event(pod, "Warning", kRuntimeViolationReason, runtime_violation_message(alert));
}

}  // namespace castellan::sensor
