#!/usr/bin/env bash
# Castellan's whole story on this host, with no existing cluster. On a real node whenever one
# can run here (root, containerd starts): e2e/node.sh brings up kubelet + containerd, Castellan
# is installed from its own images and manifests, and a real shell in a real container is
# killed, the pod isolated, the node tainted and the image digest quarantined. Where the node
# cannot run, the demo says why and tells the same story with a simulated node
# (scripts/demo/simulated.sh).
# Exit code: 0 when every step did what it shows, 1 when one did not, 2 when it cannot run.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
source scripts/demo/lib.sh

if [ "$(id -u)" -ne 0 ]; then
  echo "demo: run as root: castellan-sensor loads eBPF programs and the node runs containers" >&2
  exit 2
fi

step "Installing dependencies and building castellan-manager, castellan-sensor, castellanctl"
bash scripts/install-deps.sh
KUBE_APISERVER=$(e2e/kube-apiserver.sh path)
export KUBE_APISERVER
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build --target castellan-manager castellan-sensor castellanctl -j "$(nproc)" >/dev/null
say "built into build/bin/"

if [ "${CASTELLAN_DEMO_SIMULATED:-}" != 1 ]; then
  set +e
  bash scripts/demo/real_node.sh
  code=$?
  set -e
  # 3: the node could not start here; anything else is the real demo's own verdict.
  [ "$code" -eq 3 ] || exit "$code"
  step "The real node could not start here; telling the story with a simulated node"
fi
exec bash scripts/demo/simulated.sh
