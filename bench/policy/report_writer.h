#pragma once
// Writes bench/results/policy.md with numbers and ratios from policy_bench's runs.

#include <string>

#include "bench/report/collecting_reporter.h"
#include "common/result.h"

namespace castellan::bench {

// Records one repetition of BM_PodSecurityPaired "<policies>/<minor>" (minor 0: namespace labels):
// thread CPU nanoseconds per evaluation at latest and of the variant, measured alternately.
void record_paired(const std::string& key, double latest_ns, double variant_ns);

Status write_policy_report(const std::string& path, const CollectingReporter& reporter,
                           size_t review_bytes);

}  // namespace castellan::bench
