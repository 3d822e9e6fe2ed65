#pragma once
// KubeEventSink: each alert on a known Pod as a core/v1 Event on that Pod (reason
// RuntimeViolation, type Warning, related the SecurityPolicy, annotations of
// api/runtime_violation.h). Aggregation, rate limits, the bounded spool and drop counts are
// the EventRecorder's. Alerts outside any Pod are left to the JSON lines.

#include <optional>
#include <string>

#include "kube/event_recorder.h"
#include "sensor/alert_sink.h"

namespace castellan::sensor {

// What is written for one alert: the involved Pod, the message, annotations and related.
struct ViolationEvent {
  kube::ObjectReference pod;
  std::string message;
  kube::EventExtras extras;
};

// "SecurityPolicy p rule r: exec of /usr/bin/sh in container web; process killed". The same
// for every repeat of one alert (no pid), so that the recorder aggregates repeats. Pure.
std::string runtime_violation_message(const Alert& alert);

// The Event of an alert on a Pod; nothing for an alert outside any Pod. Pure.
std::optional<ViolationEvent> runtime_violation_event(const Alert& alert);

class KubeEventSink : public AlertSink {
 public:
  explicit KubeEventSink(kube::EventRecorder& recorder) : recorder_(recorder) {}
  void emit(const Alert& alert) override;

 private:
  kube::EventRecorder& recorder_;
};

// Fans one alert out to two sinks (stdout JSON lines and Events in node mode).
class TeeSink : public AlertSink {
 public:
  TeeSink(AlertSink& first, AlertSink& second) : first_(first), second_(second) {}
  void emit(const Alert& alert) override {
    first_.emit(alert);
    second_.emit(alert);
  }
  void flush() override {
    first_.flush();
    second_.flush();
  }

 private:
  AlertSink& first_;
  AlertSink& second_;
};

}  // namespace castellan::sensor
