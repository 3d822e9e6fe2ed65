#!/usr/bin/env bash
# Builds and runs the policy engine benchmark, writing bench/results/policy.md.
# Usage: bench/policy/run.sh [extra Google Benchmark flags]   (BUILD_DIR defaults to build-bench)
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
build="${BUILD_DIR:-$root/build-bench}"
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build" --target policy_bench -j"$(nproc)"
mkdir -p "$root/bench/results"
"$build/bench/policy_bench" --benchmark_repetitions="${REPETITIONS:-5}" \
  --benchmark_enable_random_interleaving=true \
  --report="$root/bench/results/policy.md" "$@"
