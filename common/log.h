#pragma once
// Structured JSON logs on stderr, one object per line:
//   {"ts":"2026-01-01T00:00:00.000Z","level":"info","msg":"Reconciled SecurityPolicy","name":"p"}
// Messages: capital letter, no final period, past tense, name the object kind.

#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

namespace castellan::log {

enum class Level { Debug = 0, Info = 1, Warn = 2, Error = 3 };

using Field = std::pair<std::string_view, std::string>;

void set_level(Level level);
Level level();
// When false, logs are a human "LEVEL msg k=v" line instead of JSON (for CLIs on a terminal).
void set_json(bool json);

void write(Level level, std::string_view msg, std::initializer_list<Field> fields = {});

inline void debug(std::string_view msg, std::initializer_list<Field> fields = {}) {
  write(Level::Debug, msg, fields);
}
inline void info(std::string_view msg, std::initializer_list<Field> fields = {}) {
  write(Level::Info, msg, fields);
}
inline void warn(std::string_view msg, std::initializer_list<Field> fields = {}) {
  write(Level::Warn, msg, fields);
}
inline void error(std::string_view msg, std::initializer_list<Field> fields = {}) {
  write(Level::Error, msg, fields);
}

}  // namespace castellan::log
