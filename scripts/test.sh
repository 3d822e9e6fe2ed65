#!/usr/bin/env bash
# Installs what is needed, builds, and runs the whole test suite (unit, e2e, bpf, node).
# Usage: scripts/test.sh [ctest args...]   e.g. scripts/test.sh -L unit
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

echo "==> Installing dependencies"
bash scripts/install-deps.sh

echo "==> Locating (or building once, cached) the Kubernetes binaries for the e2e and node tests"
for binary in kube-apiserver kube-controller-manager kube-scheduler kubelet kube-proxy pause; do
  e2e/kube-binaries.sh path "$binary" >/dev/null
done
KUBE_APISERVER=$(e2e/kube-binaries.sh path kube-apiserver)
export KUBE_APISERVER

echo "==> Building"
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j "$(nproc)"

# The node tests stop the registry they start; this also stops it when ctest killed them.
if ! e2e/registry.sh status >/dev/null 2>&1; then
  trap 'e2e/registry.sh down >/dev/null 2>&1 || true' EXIT
fi

echo "==> Testing"
cd build
ctest --output-on-failure --timeout 2400 "$@"
