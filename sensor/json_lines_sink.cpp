#include "sensor/json_lines_sink.h"

#include "sensor/alert_formatter.h"

namespace castellan::sensor {

void JsonLinesSink::emit(const Alert& alert) {
  std::string line = format_alert_json(alert);
  line += '\n';
  std::fwrite(line.data(), 1, line.size(), out_);
  // A line per alert reaches a pipe promptly, so scripts and log shippers see it at once.
  std::fflush(out_);
}

}  // namespace castellan::sensor
