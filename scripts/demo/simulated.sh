#!/usr/bin/env bash
# Castellan's story with no node: a local etcd + kube-apiserver, castellan-manager and
# castellan-sensor running on this host, the sample policies, then admission, a runtime alert,
# the automated responses and `kubectl describe`. The "container" is a cgroup named like the
# kubelet's, mapped to a Pod whose status the demo writes as a kubelet would.
# Run by scripts/demo.sh where the real node cannot run. Needs root (eBPF, cgroups).
# Exit code: 0 when every step did what it shows, 1 when one did not, 2 when it cannot run.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
source scripts/demo/lib.sh
source scripts/demo/pods.sh

free_port() {
  local port
  for _ in $(seq 200); do
    port=$((20000 + RANDOM % 12000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then echo "$port"; return 0; fi
  done
  return 1
}
random_hex() { head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n'; }

work=$(mktemp -d "${TMPDIR:-/tmp}/castellan-demo.XXXXXX")
export CASTELLAN_CONTROLPLANE_DIR="$work/controlplane"
cgroup_mount=$(awk '$3 == "cgroup2" {print $2; exit}' /proc/mounts)
[ -n "$cgroup_mount" ] || { echo "demo: no cgroup v2 mount found" >&2; exit 2; }
cgroup_root="$cgroup_mount/castellan-demo-$$"
pids=()
cleanup() {
  local status=$?
  set +e
  step "Cleaning up"
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null; done
  [ -d "$cgroup_root" ] && find "$cgroup_root" -depth -type d -exec rmdir {} + 2>/dev/null
  e2e/controlplane.sh down >/dev/null 2>&1
  if [ "$status" -eq 0 ]; then
    rm -rf "$work"
    say "stopped the sensor, the manager and the control plane"
  else
    say "stopped the sensor, the manager and the control plane; their logs stay in $work"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

step "Starting a local control plane (etcd + kube-apiserver) with Castellan's CRDs"
e2e/controlplane.sh up
eval "$(e2e/controlplane.sh env)"
api() {  # method path body: a request with the control plane's admin token
  curl -sS --fail --cacert "$CASTELLAN_CONTROLPLANE_DIR/cert/apiserver.crt" \
    -H "Authorization: Bearer $(cat "$CASTELLAN_CONTROLPLANE_DIR/token")" \
    -X "$1" -H 'Content-Type: application/merge-patch+json' \
    "https://127.0.0.1:$(cat "$CASTELLAN_CONTROLPLANE_DIR/apiserver.port")$2" -d "$3"
}
kubectl create namespace castellan-system >/dev/null
kubectl apply -f examples/namespaces.yaml >/dev/null
kubectl create -f - >/dev/null <<'YAML'
apiVersion: v1
kind: Node
metadata: {name: demo-node}
YAML
say "namespaces castellan-system, prod-web, dev; Node demo-node (there is no kubelet: the demo plays it)"

step "Starting castellan-manager (webhook on loopback) and a notify receiver"
webhook_port=$(free_port)
receiver_port=$(free_port)
python3 scripts/demo/notify_receiver.py "$receiver_port" >"$work/receiver.log" 2>&1 &
pids+=($!)
build/bin/castellan-manager --namespace castellan-system --webhook-port "$webhook_port" \
  --webhook-url-base "https://127.0.0.1:$webhook_port" --bind-address 127.0.0.1 \
  --resync 2 --report-interval 2 --log-format text >"$work/manager.log" 2>&1 &
pids+=($!)
wait_until 60 grep -q "Started leading" "$work/manager.log" || { tail -20 "$work/manager.log"; exit 1; }
say "castellan-manager leads; its log: $work/manager.log"

step "Applying the sample policies (config/samples)"
run kubectl apply -k config/samples
# The sample notifies https://hooks.example.com; here it goes to the local receiver.
kubectl patch securitypolicy runtime-threats --type=json -p "[{\"op\": \"replace\",
  \"path\": \"/spec/runtime/responses/0/notify/url\",
  \"value\": \"http://127.0.0.1:$receiver_port/castellan\"}]" >/dev/null
wait_until 60 kubectl get configmap castellan-runtime-ruleset -n castellan-system
hash=$(kubectl get configmap castellan-runtime-ruleset -n castellan-system -o jsonpath='{.data.hash}')
say "the manager published the runtime ruleset $hash"

step "Starting castellan-sensor for demo-node"
build/bin/castellan-sensor --node-name demo-node --namespace castellan-system --status-period 2 \
  >"$work/sensor.out" 2>"$work/sensor.log" &
pids+=($!)
synced() { [ "$(kubectl get nodesensor demo-node -o jsonpath='{.status.rulesetHash}')" = "$hash" ]; }
wait_until 60 synced || { tail -20 "$work/sensor.log"; exit 1; }
say "the sensor loaded the ruleset; its log: $work/sensor.log"
wait_until 30 sh -c "kubectl get secpol runtime-threats -o jsonpath='{.status.runtime.nodesInSync}' | grep -qx 1/1"
run kubectl get securitypolicies

step "1. Admission: a privileged pod is denied at kubectl apply"
say "$ kubectl apply -f examples/privileged-pod.yaml"
expect_denied "the privileged pod" kubectl apply -f examples/privileged-pod.yaml

step "2. Runtime: a shell in a running container of prod-web/web"
digest="sha256:$(random_hex)"
image="registry.example.com/web@$digest"
compliant_pod web "$image" | kubectl apply -f - >/dev/null
uid=$(kubectl get pod web -n prod-web -o jsonpath='{.metadata.uid}')
container=$(random_hex)
api PATCH "/api/v1/namespaces/prod-web/pods/web/status" "$(started_status "$container" "$image")" >/dev/null
cgroup="$cgroup_root/kubepods/besteffort/pod$uid/$container"
mkdir -p "$cgroup"
say "pod prod-web/web runs $image; its container's cgroup: $cgroup"
sleep 3  # the sensor maps the new container's cgroup to its Pod
say "$ sh -c 'echo I am a shell'   (in the container)"
set +e
{ bash -c "echo \$\$ > '$cgroup/cgroup.procs' && exec /bin/sh -c 'echo I am a shell'"; } 2>/dev/null
code=$?
set -e
if [ "$code" -eq 137 ]; then say "ok: the shell was killed before it ran (SIGKILL, rule shell-in-container: Kill)"; else say "FAILED: the shell exited with $code"; failures=$((failures + 1)); fi
check "the alert is counted in status.runtime.alerts" \
  wait_until 60 status_at_least runtime-threats .status.runtime.alerts 1
run kubectl get events -n prod-web --field-selector reason=RuntimeViolation

step "3. Responses: quarantined digest, isolation, taint, notification"
check "four response actions taken" \
  wait_until 60 status_at_least runtime-threats .status.responses.taken 4
run kubectl get networkpolicy castellan-quarantine -n prod-web -o jsonpath='{.spec}'
echo
check "NetworkPolicy castellan-quarantine denies all ingress and egress" \
  kubectl get networkpolicy castellan-quarantine -n prod-web
run kubectl get pod web -n prod-web --show-labels
check "pod web labelled castellan.io/quarantine=true" \
  sh -c "kubectl get pod web -n prod-web -o jsonpath='{.metadata.labels}' | grep -q quarantine"
run kubectl get node demo-node -o jsonpath='{.spec.taints}'
echo
check "node demo-node tainted castellan.io/compromised=true:NoSchedule" \
  sh -c "kubectl get node demo-node -o jsonpath='{.spec.taints}' | grep -q castellan.io/compromised"
run kubectl get secpol runtime-threats -o jsonpath='{.status.quarantinedDigests[*].digest}'
echo
check "the notify receiver got the alert" grep -q "shell-in-container" "$work/receiver.log"
sed 's/^/      /' "$work/receiver.log"
say "a new pod with the quarantined image:"
denied_again() { ! compliant_pod web-2 "$image" | kubectl apply --dry-run=server -f - >/dev/null 2>&1; }
wait_until 30 denied_again || true
apply_web_2() { compliant_pod web-2 "$image" | kubectl apply -f -; }
expect_denied "the pod with the quarantined digest" apply_web_2

step "4. kubectl describe securitypolicy runtime-threats"
kubectl describe securitypolicy runtime-threats | sed 's/^/    /'

step "Releasing the digest: kubectl annotate securitypolicy runtime-threats castellan.io/release-digests=$digest"
kubectl annotate securitypolicy runtime-threats "castellan.io/release-digests=$digest" >/dev/null
released() { compliant_pod web-2 "$image" | kubectl apply --dry-run=server -f - ; }
check "a new pod with the released image is admitted again" wait_until 30 released

finish
