#include "bench/report/markdown.h"

#include <cstdio>
#include <ctime>
#include <fstream>

namespace castellan::bench {

std::string fixed(double value, int digits) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", digits, value);
  return buf;
}

std::string per_second(double ns) { return ns > 0 ? fixed(1e9 / ns, 0) : "n/a"; }

std::string ratio(double numerator, double denominator) {
  return denominator > 0 && numerator > 0 ? fixed(numerator / denominator, 2) + "x" : "n/a";
}

std::string today() {
  char buf[32];
  const std::time_t now = std::time(nullptr);
  std::strftime(buf, sizeof buf, "%Y-%m-%d", std::gmtime(&now));
  return buf;
}

Status write_text_file(const std::string& path, const std::string& text) {
  std::ofstream out(path);
  if (!out) return Error::make("cannot write " + path);
  out << text;
  if (!out) return Error::make("failed writing " + path);
  return Status::Ok();
}

}  // namespace castellan::bench
