#pragma once
// Small text helpers for the benchmarks' Markdown reports.

#include <string>

#include "common/result.h"

namespace castellan::bench {

std::string fixed(double value, int digits);
// "1e9 / ns" operations per second, or "n/a" for a missing run.
std::string per_second(double ns);
// "2.50x", or "n/a" when either side is missing.
std::string ratio(double numerator, double denominator);
// Today's date (UTC) as YYYY-MM-DD.
std::string today();
Status write_text_file(const std::string& path, const std::string& text);

}  // namespace castellan::bench
