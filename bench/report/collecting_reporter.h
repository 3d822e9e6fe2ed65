#pragma once
// CollectingReporter: prints Google Benchmark runs as the console reporter does and keeps each
// run's CPU time per iteration, so that a benchmark can write its results and ratios as Markdown.

#include <benchmark/benchmark.h>

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "common/result.h"

namespace castellan::bench {

class CollectingReporter : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override;

  // Median CPU nanoseconds per iteration of a run such as "BM_AdmissionNlohmann/10"; 0 if absent.
  double median_ns(const std::string& name) const;
  size_t repetitions(const std::string& name) const;
  bool failed() const { return failed_; }

 private:
  std::map<std::string, std::vector<double>> samples_;
  bool failed_ = false;
};

using ReportWriter = std::function<Status(const std::string& path, const CollectingReporter&)>;

// The main() of a benchmark binary: runs the registered benchmarks with the Google Benchmark
// flags in argv and, given --report=FILE, has `write` turn the runs into FILE. Returns the exit
// code: non-zero when a benchmark failed or the report could not be written.
int run_benchmarks(int argc, char** argv, const char* program, const ReportWriter& write);

}  // namespace castellan::bench
