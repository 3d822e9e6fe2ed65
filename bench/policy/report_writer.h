#pragma once
// Collects benchmark runs and writes bench/results/policy.md with numbers and ratios.

#include <benchmark/benchmark.h>

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

Status write_policy_report(const std::string& path, const CollectingReporter& reporter,
                           size_t review_bytes);

}  // namespace castellan::bench
