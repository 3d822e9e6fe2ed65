#pragma once
// Writes bench/results/runtime.md with numbers and ratios from runtime_bench's runs.

#include <cstddef>
#include <map>
#include <string>

#include "bench/report/collecting_reporter.h"
#include "common/result.h"

namespace castellan::bench {

// Sizes measured outside the timed runs, by live Event count.
struct RuntimeFacts {
  std::map<int, size_t> event_bytes;           // one Event's JSON, on average
  std::map<int, size_t> ledger_bytes;          // to_json(ledger).dump(): the ConfigMap's value
  std::map<int, size_t> escaped_ledger_bytes;  // the same as a JSON string in the request body
};

Status write_runtime_report(const std::string& path, const CollectingReporter& reporter,
                            const RuntimeFacts& facts);

}  // namespace castellan::bench
