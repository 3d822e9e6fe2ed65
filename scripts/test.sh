#!/usr/bin/env bash
# Installs what is needed, builds, and runs the whole test suite (unit, e2e, bpf).
# Usage: scripts/test.sh [ctest args...]   e.g. scripts/test.sh -L unit
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

echo "==> Installing dependencies"
bash scripts/install-deps.sh

if [ -x e2e/kube-apiserver.sh ]; then
  echo "==> Locating kube-apiserver for the e2e tests"
  KUBE_APISERVER=$(e2e/kube-apiserver.sh path)
  export KUBE_APISERVER
fi

echo "==> Building"
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j "$(nproc)"

echo "==> Testing"
cd build
ctest --output-on-failure --timeout 900 "$@"
