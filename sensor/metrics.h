#pragma once
// Sensor counters in the Prometheus text exposition format, and a one-line summary. Pure.

#include <string>
#include <vector>

#include "sensor/sensor.h"

namespace castellan::sensor {

std::string format_metrics(const SensorStats& stats, const std::vector<std::string>& attached);

// "seen=… filtered=… submitted=… dropped_ringbuf=… …" for the exit summary.
std::string format_summary(const SensorStats& stats);

}  // namespace castellan::sensor
