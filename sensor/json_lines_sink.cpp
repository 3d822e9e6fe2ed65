#include "sensor/json_lines_sink.h"

#include "sensor/alert_formatter.h"

namespace castellan::sensor {

void JsonLinesSink::emit(const Alert& alert) {
  std::string line = format_alert_json(alert);
  line += '\n';
  std::fwrite(line.data(), 1, line.size(), out_);
}

// Once per ring buffer batch: alerts reach a pipe promptly without a write per alert.
void JsonLinesSink::flush() { std::fflush(out_); }

}  // namespace castellan::sensor
