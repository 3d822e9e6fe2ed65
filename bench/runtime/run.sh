#!/usr/bin/env bash
# Builds and runs the runtime hot paths benchmark, writing bench/results/runtime.md.
# Usage: bench/runtime/run.sh [extra Google Benchmark flags]   (BUILD_DIR defaults to build-bench,
# REPETITIONS to 5)
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
build="${BUILD_DIR:-$root/build-bench}"
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build" --target runtime_bench -j"$(nproc)"
mkdir -p "$root/bench/results"
"$build/bench/runtime_bench" --benchmark_repetitions="${REPETITIONS:-5}" \
  --report="$root/bench/results/runtime.md" "$@"
