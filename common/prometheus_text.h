#pragma once
// The Prometheus text exposition format, the little of it the servers need.

#include <string>

namespace castellan {

// Appends "# HELP name help\n# TYPE name type\n".
inline void append_metric_header(std::string& out, const char* name, const char* type,
                                 const char* help) {
  out += "# HELP ";
  out += name;
  out += ' ';
  out += help;
  out += "\n# TYPE ";
  out += name;
  out += ' ';
  out += type;
  out += '\n';
}

}  // namespace castellan
