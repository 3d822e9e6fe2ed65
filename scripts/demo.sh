#!/usr/bin/env bash
# Castellan's main job on the built-in default, with no cluster: installs and builds what
# is needed, then checks the sample policies against the example manifests.
# Exit code: castellanctl's (0 nothing denied, 1 an Enforce policy denied, 2 bad input).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

bash scripts/install-deps.sh >&2
echo "==> Building castellanctl" >&2
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build --target castellanctl -j "$(nproc)" >/dev/null

echo "==> castellanctl check --policy config/samples --resource examples" >&2
exec build/bin/castellanctl check --policy config/samples --resource examples "$@"
