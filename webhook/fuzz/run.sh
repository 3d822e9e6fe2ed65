#!/usr/bin/env bash
# Builds the AdmissionReview fuzz target with clang (libFuzzer + ASan + UBSan) in its own build
# directory and runs it. Usage: webhook/fuzz/run.sh [SECONDS] (default 60).
# Exit code: 0 when no crash was found, non-zero otherwise (the crashing input is in the
# build directory, named crash-*).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
seconds="${1:-60}"
build="${CASTELLAN_FUZZ_BUILD_DIR:-$root/build-fuzz}"

# Every library is instrumented for coverage, so the fuzzer sees into the decoder and engine.
CC=clang CXX=clang++ cmake -S "$root" -B "$build" -DCASTELLAN_SANITIZE=ON \
  -DCMAKE_C_FLAGS=-fsanitize=fuzzer-no-link -DCMAKE_CXX_FLAGS=-fsanitize=fuzzer-no-link \
  -DCASTELLAN_BUILD_BENCH=OFF -DCASTELLAN_BUILD_SENSOR=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" --target webhook_admission_fuzz -j"$(nproc)"

corpus="$build/fuzz-corpus"
mkdir -p "$corpus"
cp -n "$root"/webhook/fuzz/corpus/* "$corpus"/ 2>/dev/null || true
cd "$build"
exec "$build/tests/webhook_admission_fuzz" -max_total_time="$seconds" -max_len=65536 \
  -timeout=10 -rss_limit_mb=2048 "$corpus"
