#!/usr/bin/env bash
# Lists and watches 10,000 Pods in a local API server through the informer; writes
# bench/results/kube.md (and the raw measurements in bench/results/kube.jsonl).
# Usage: bench/kube/run.sh   (PODS=10000 THREADS=8 BUILD_DIR=build-bench)
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
build="${BUILD_DIR:-$root/build-bench}"
pods="${PODS:-10000}"
threads="${THREADS:-8}"

cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build" --target kube_bench -j"$(nproc)"
bench="$build/bench/kube_bench"

# A control plane of our own, torn down however this script ends.
export CASTELLAN_CONTROLPLANE_DIR="$(mktemp -d /tmp/castellan-kube-bench.XXXXXX)"
trap '"$root/e2e/controlplane.sh" down >/dev/null 2>&1 || true' EXIT
"$root/e2e/controlplane.sh" up
eval "$("$root/e2e/controlplane.sh" env)"

mkdir -p "$root/bench/results"
jsonl="$root/bench/results/kube.jsonl"
: >"$jsonl"
"$bench" populate --pods "$pods" --threads "$threads" | tee -a "$jsonl"
"$bench" list | tee -a "$jsonl"
for cache in raw projection summary; do
  "$bench" informer --cache "$cache" --updates "$pods" --threads "$threads" | tee -a "$jsonl"
done
# Smaller list pages leave less residue behind the cache (memory only, no watch phase).
"$bench" informer --cache summary --page-size 100 --updates 0 | tee -a "$jsonl"
"$bench" report --input "$jsonl" --output "$root/bench/results/kube.md"
echo "Wrote $root/bench/results/kube.md"
