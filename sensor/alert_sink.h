#pragma once
// AlertSink: where alerts go (stdout JSON lines, Kubernetes Events, a test's collector).

#include "sensor/alert.h"

namespace castellan::sensor {

class AlertSink {
 public:
  virtual ~AlertSink() = default;
  // Called on the consumer thread, one alert at a time.
  virtual void emit(const Alert& alert) = 0;
  // Called after each batch of records, so sinks may buffer within a batch.
  virtual void flush() {}
};

}  // namespace castellan::sensor
