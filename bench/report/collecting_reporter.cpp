#include "bench/report/collecting_reporter.h"

#include <algorithm>
#include <cstdio>
#include <cstring>

namespace castellan::bench {

void CollectingReporter::ReportRuns(const std::vector<Run>& runs) {
  ConsoleReporter::ReportRuns(runs);
  for (const auto& run : runs) {
    if (run.error_occurred) {
      failed_ = true;
      continue;
    }
    if (run.run_type != Run::RT_Iteration || run.iterations == 0) continue;
    samples_[run.run_name.str()].push_back(run.cpu_accumulated_time /
                                           static_cast<double>(run.iterations) * 1e9);
  }
}

double CollectingReporter::median_ns(const std::string& name) const {
  const auto it = samples_.find(name);
  if (it == samples_.end() || it->second.empty()) return 0;
  std::vector<double> v = it->second;
  std::sort(v.begin(), v.end());
  return v.size() % 2 == 1 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
}

size_t CollectingReporter::repetitions(const std::string& name) const {
  const auto it = samples_.find(name);
  return it == samples_.end() ? 0 : it->second.size();
}

int run_benchmarks(int argc, char** argv, const char* program, const ReportWriter& write) {
  std::string report_path;
  int kept = 1;
  for (int i = 1; i < argc; ++i) {
    if (std::strncmp(argv[i], "--report=", 9) == 0) {
      report_path = argv[i] + 9;
    } else {
      argv[kept++] = argv[i];
    }
  }
  argc = kept;
  benchmark::Initialize(&argc, argv);
  CollectingReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::Shutdown();
  if (!report_path.empty()) {
    if (const auto written = write(report_path, reporter); !written) {
      std::fprintf(stderr, "%s: %s\n", program, written.error().message.c_str());
      return 1;
    }
    std::printf("Wrote %s\n", report_path.c_str());
  }
  return reporter.failed() ? 1 : 0;
}

}  // namespace castellan::bench
