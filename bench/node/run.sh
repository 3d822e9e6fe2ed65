#!/usr/bin/env bash
# The real node's costs, measured in one run and written to bench/results/node.md:
#   node bring-up (e2e/node.sh up) cold (first start after a down) and warm (the next ones),
#   image sizes (scripts/images.sh sizes) and the time to build and push them unchanged,
#   and what the node tests measure on real pods (build/tests/node_e2e_test): kubectl apply -k
#   to all Ready, pod creation to the sensor enforcing its rules, a sensor restart to Ready,
#   admissions during a manager rollout, uninstall.
# Absolute times are this machine's; they are noisy, so every bring-up is measured RUNS times.
#
# Usage: bench/node/run.sh            (root; after the CMake build in build/)
# Environment: RUNS (warm bring-ups, default 3), BUILD_DIR (default build).
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
runs="${RUNS:-3}"
build="${BUILD_DIR:-$root/build}"
results="$root/bench/results/node.md"
work=$(mktemp -d "${TMPDIR:-/tmp}/castellan-bench-node.XXXXXX")
trap 'rm -rf "$work"' EXIT

log() { echo "bench/node: $*" >&2; }
[ "$(id -u)" -eq 0 ] || { log "needs root: the node runs kubelet and containerd"; exit 2; }
[ -x "$build/tests/node_e2e_test" ] || { log "build first: cmake --build build --target node_e2e_test"; exit 2; }

millis() { date +%s%3N; }
seconds_since() { awk -v start="$1" -v now="$(millis)" 'BEGIN { printf "%.1f", (now - start) / 1000 }'; }

# Seconds of one `e2e/node.sh up`, from a node that is down.
bring_up() {
  local start
  "$root/e2e/node.sh" down >/dev/null 2>&1
  start=$(millis)
  "$root/e2e/node.sh" up >"$work/up.log" 2>&1 || { tail -20 "$work/up.log" >&2; exit 1; }
  seconds_since "$start"
}

registry_was_up=no
"$root/e2e/registry.sh" status >/dev/null 2>&1 && registry_was_up=yes
trap 'rm -rf "$work"; [ "$registry_was_up" = yes ] || "$root/e2e/registry.sh" down >/dev/null 2>&1' EXIT

log "images: build and push (warm), then sizes"
"$root/scripts/images.sh" push >/dev/null 2>&1
start=$(millis)
"$root/scripts/images.sh" push >/dev/null 2>"$work/images.log"
images_warm=$(seconds_since "$start")
"$root/scripts/images.sh" sizes >"$work/sizes.txt" 2>/dev/null

log "node bring-up: once after a down (caches dropped), then $runs more"
sync && echo 3 >/proc/sys/vm/drop_caches
cold=$(bring_up)
warm=()
for _ in $(seq "$runs"); do warm+=("$(bring_up)"); done

log "node tests on the running node (their measurements)"
"$build/tests/node_e2e_test" --gtest_output="json:$work/node.json" >"$work/node-test.log" 2>&1 \
  || { tail -40 "$work/node-test.log" >&2; log "node tests failed; see above"; }
"$root/e2e/node.sh" down >/dev/null 2>&1

measure() {  # the value a test recorded under this key, in seconds
  python3 - "$work/node.json" "$1" <<'EOF'
import json, sys
data = json.load(open(sys.argv[1]))
for suite in data.get("testsuites", []):
    for test in suite.get("testsuite", []):
        if sys.argv[2] in test:
            print("%.2f" % float(test[sys.argv[2]]))
            sys.exit(0)
print("n/a")
EOF
}
rollout=$(grep -o 'admissions during the rollout: [0-9]*, failed [0-9]*' "$work/node-test.log" || echo "n/a")

{
  echo "# The real node"
  echo
  echo "Measured by \`bench/node/run.sh\` on $(date -u +%Y-%m-%d), $(nproc) cores, Linux $(uname -r)."
  echo "Kubernetes v1.20.2 built from Debian's source package, containerd $(containerd --version | awk '{print $3}'), runc $(runc --version | awk 'NR==1{print $3}')."
  echo "Absolute times on a shared machine: read them as orders of magnitude."
  echo
  echo "## Node bring-up (\`e2e/node.sh up\` until the Node is Ready and \`default\` has its ServiceAccount)"
  echo
  echo "| start | seconds |"
  echo "|---|---|"
  echo "| first after a down, page cache dropped | $cold |"
  for i in "${!warm[@]}"; do echo "| warm, run $((i + 1)) | ${warm[$i]} |"; done
  echo
  echo "A cold machine first builds the Kubernetes binaries from Debian's source package, once"
  echo "(\`e2e/kube-binaries.sh\`, cached under ~/.cache/castellan): 732 s when it was first run"
  echo "here, with a C++ build competing for the two cores."
  echo
  echo "## Images (\`scripts/images.sh\`)"
  echo
  echo '```'
  cat "$work/sizes.txt"
  echo '```'
  echo
  echo "Building and pushing all five when nothing changed: $images_warm s. From empty caches (two"
  echo "mmdebstrap runs of the base and workload root filesystems): 25 to 31 s when measured here."
  echo
  echo "## Castellan on the node (\`build/tests/node_e2e_test\`)"
  echo
  echo "| what | seconds |"
  echo "|---|---|"
  echo "| \`kubectl apply -k config/overlays/local\` to manager Available, sensor Ready, NodeSensor Ready | $(measure install_to_all_ready_s) |"
  echo "| pod created to its first shell killed by the sensor | $(measure pod_created_to_enforced_s) |"
  echo "| pod Running to its first shell killed by the sensor | $(measure pod_running_to_enforced_s) |"
  echo "| sensor pod deleted to its replacement Ready (ruleset loaded, pods scoped) | $(measure sensor_pod_deleted_to_ready_s) |"
  echo "| \`kubectl delete -k\` to no webhook configuration left | $(measure uninstall_s) |"
  echo
  echo "Manager \`rollout restart\` under continuous server-side dry-run pod creation: $rollout."
  echo
  echo "The sensor scopes a container when the Pod's status names it, so a container runs"
  echo "unscoped from its start until the kubelet reports it (the pod-created-to-enforced time"
  echo "includes image pull and container start). Closing that window is the next step of the"
  echo "sensor (rules inherited by new container cgroups in the kernel)."
} >"$results"
log "wrote $results"
cat "$results"
