#pragma once
// Turns kube_bench's JSON lines into bench/results/kube.md.

#include <string>

namespace castellan::bench {

// Returns a process exit code; errors are printed.
int write_report(const std::string& input_path, const std::string& output_path);

}  // namespace castellan::bench
