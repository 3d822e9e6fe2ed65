#include "sensor/alert_formatter.h"

#include <fcntl.h>

#include <cstdio>
#include <ctime>

namespace castellan::sensor {
namespace {

void append_escaped(std::string& out, std::string_view s) {
  out += '"';
  for (unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20 || c >= 0x80) {
          // Bytes from the kernel are not trusted to be UTF-8: escape everything non-ASCII.
          char buf[8];
          std::snprintf(buf, sizeof(buf), "\\u%04x", c);
          out += buf;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  out += '"';
}

void append_field(std::string& out, std::string_view key, std::string_view value) {
  out += '"';
  out += key;
  out += "\":";
  append_escaped(out, value);
}

void append_number(std::string& out, std::string_view key, uint64_t value) {
  out += '"';
  out += key;
  out += "\":";
  out += std::to_string(value);
}

void append_strings(std::string& out, std::string_view key, const std::vector<std::string>& v) {
  out += '"';
  out += key;
  out += "\":[";
  for (size_t i = 0; i < v.size(); ++i) {
    if (i) out += ',';
    append_escaped(out, v[i]);
  }
  out += ']';
}

}  // namespace

std::string format_time(uint64_t unix_ns) {
  time_t seconds = static_cast<time_t>(unix_ns / 1000000000ULL);
  struct tm tm {};
  gmtime_r(&seconds, &tm);
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02d.%06uZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<unsigned>((unix_ns % 1000000000ULL) / 1000));
  return buf;
}

std::vector<std::string> open_flag_names(uint64_t flags) {
  std::vector<std::string> names;
  switch (flags & O_ACCMODE) {
    case O_RDONLY: names.emplace_back("O_RDONLY"); break;
    case O_WRONLY: names.emplace_back("O_WRONLY"); break;
    default: names.emplace_back("O_RDWR"); break;
  }
  static const std::pair<uint64_t, const char*> kFlags[] = {
      {O_CREAT, "O_CREAT"},       {O_EXCL, "O_EXCL"},         {O_TRUNC, "O_TRUNC"},
      {O_APPEND, "O_APPEND"},     {O_NOFOLLOW, "O_NOFOLLOW"}, {O_CLOEXEC, "O_CLOEXEC"},
      {O_DIRECTORY, "O_DIRECTORY"}, {O_NONBLOCK, "O_NONBLOCK"}, {O_SYNC, "O_SYNC"},
  };
  for (const auto& [bit, name] : kFlags) {
    if ((flags & bit) == bit) names.emplace_back(name);
  }
  return names;
}

std::string format_alert_json(const Alert& alert) {
  std::string out;
  out.reserve(512);
  out += '{';
  append_field(out, "time", format_time(alert.time_ns));
  out += ',';
  append_field(out, "policy", alert.policy);
  out += ',';
  append_field(out, "rule", alert.rule);
  out += ',';
  append_field(out, "action", alert.action);
  out += ',';
  append_field(out, "node", alert.node);
  out += ",\"process\":{";
  append_number(out, "pid", alert.process.pid);
  out += ',';
  append_number(out, "ppid", alert.process.ppid);
  out += ',';
  append_number(out, "uid", alert.process.uid);
  out += ',';
  append_field(out, "comm", alert.process.comm);
  out += ',';
  append_field(out, "exe", alert.process.exe);
  out += ',';
  append_strings(out, "args", alert.process.args);
  out += "},\"cgroup\":{";
  append_number(out, "id", alert.cgroup_id);
  out += ',';
  append_field(out, "path", alert.cgroup_path);
  out += '}';
  if (alert.container_id) {
    out += ",\"container\":{";
    append_field(out, "id", *alert.container_id);
    out += '}';
  }
  if (alert.pod) {
    out += ",\"pod\":{";
    append_field(out, "namespace", alert.pod->namespace_);
    out += ',';
    append_field(out, "name", alert.pod->name);
    out += '}';
  }
  if (alert.file) {
    out += ",\"file\":{";
    append_field(out, "path", alert.file->path);
    out += ',';
    append_strings(out, "flags", alert.file->flags);
    out += '}';
  }
  if (alert.connect) {
    out += ",\"connect\":{";
    append_field(out, "family", alert.connect->family);
    out += ',';
    append_field(out, "addr", alert.connect->addr);
    out += ',';
    append_number(out, "port", alert.connect->port);
    out += '}';
  }
  out += '}';
  return out;
}

}  // namespace castellan::sensor
