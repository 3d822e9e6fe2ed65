#pragma once
// KubeEventSink: each alert on a known Pod as a core/v1 Event on that Pod (reason
// RuntimeViolation, type Warning). Aggregation, rate limits, the bounded spool and drop
// counts are the EventRecorder's. Alerts outside any Pod are left to the JSON lines.

#include <string>

#include "kube/event_recorder.h"
#include "sensor/alert_sink.h"

namespace castellan::sensor {

inline constexpr const char* kRuntimeViolationReason = "RuntimeViolation";

// "SecurityPolicy p rule r: exec of /usr/bin/sh (pid 42) ..." Pure.
std::string runtime_violation_message(const Alert& alert);

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
