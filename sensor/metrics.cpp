#include "sensor/metrics.h"

#include "common/prometheus_text.h"

namespace castellan::sensor {
namespace {

void counter(std::string& out, const char* name, const char* help, uint64_t value,
             const std::string& labels = "") {
  append_metric_header(out, name, "counter", help);
  out += name;
  out += labels;
  out += ' ';
  out += std::to_string(value);
  out += '\n';
}

}  // namespace

std::string format_metrics(const SensorStats& s, const std::vector<std::string>& attached) {
  std::string out;
  counter(out, "castellan_sensor_events_seen_total", "Hook invocations in the kernel.",
          s.kernel.seen);
  counter(out, "castellan_sensor_events_filtered_total",
          "Events discarded in the kernel because no rule could match.", s.kernel.filtered);
  counter(out, "castellan_sensor_events_submitted_total",
          "Events written to the ring buffer.", s.kernel.submitted);
  out += "# HELP castellan_sensor_events_dropped_total Events lost, by reason.\n"
         "# TYPE castellan_sensor_events_dropped_total counter\n";
  out += "castellan_sensor_events_dropped_total{reason=\"ringbuf_full\"} " +
         std::to_string(s.kernel.dropped_ringbuf) + "\n";
  out += "castellan_sensor_events_dropped_total{reason=\"path_too_long\"} " +
         std::to_string(s.kernel.dropped_path) + "\n";
  counter(out, "castellan_sensor_processes_killed_total", "SIGKILLs sent by Kill rules.",
          s.kernel.killed);
  counter(out, "castellan_sensor_records_total", "Ring buffer records consumed.", s.user.records);
  counter(out, "castellan_sensor_decode_errors_total", "Records that could not be decoded.",
          s.user.decode_errors);
  counter(out, "castellan_sensor_alerts_total", "Alerts raised.", s.user.alerts);
  out += "# HELP castellan_sensor_program_attached Programs attached, by tracepoint.\n"
         "# TYPE castellan_sensor_program_attached gauge\n";
  for (const auto& name : attached) {
    out += "castellan_sensor_program_attached{tracepoint=\"" + name + "\"} 1\n";
  }
  return out;
}

std::string format_summary(const SensorStats& s) {
  return "seen=" + std::to_string(s.kernel.seen) + " filtered=" + std::to_string(s.kernel.filtered) +
         " submitted=" + std::to_string(s.kernel.submitted) +
         " dropped_ringbuf=" + std::to_string(s.kernel.dropped_ringbuf) +
         " dropped_path=" + std::to_string(s.kernel.dropped_path) +
         " killed=" + std::to_string(s.kernel.killed) + " records=" + std::to_string(s.user.records) +
         " decode_errors=" + std::to_string(s.user.decode_errors) +
         " alerts=" + std::to_string(s.user.alerts);
}

}  // namespace castellan::sensor
