#pragma once
// JsonLinesSink: every alert as one JSON line on a stdio stream (stdout in standalone mode).

#include <cstdio>

#include "sensor/alert_sink.h"

namespace castellan::sensor {

class JsonLinesSink : public AlertSink {
 public:
  explicit JsonLinesSink(FILE* out) : out_(out) {}
  void emit(const Alert& alert) override;
  void flush() override;

 private:
  FILE* out_;
};

}  // namespace castellan::sensor
