#pragma once
// Writes bench/results/policy.md with numbers and ratios from policy_bench's runs.

#include <string>

#include "bench/report/collecting_reporter.h"
#include "common/result.h"

namespace castellan::bench {

Status write_policy_report(const std::string& path, const CollectingReporter& reporter,
                           size_t review_bytes);

}  // namespace castellan::bench
