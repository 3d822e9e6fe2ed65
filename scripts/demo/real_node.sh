#!/usr/bin/env bash
# Castellan's story on a real node: kubelet + containerd + CNI on this host (e2e/node.sh),
# Castellan installed from its own images and manifests, the sample policies, then a
# privileged pod denied, a real shell in a real container killed, the responses on the real
# pod, node and image digest, and `kubectl describe` telling it all. Run by scripts/demo.sh,
# after the build. Exit code: 0 every step did what it shows, 1 one did not, 3 the node could
# not start here (scripts/demo.sh then tells the story with a simulated node).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
source scripts/demo/lib.sh

node_ip=10.244.0.1 # the gateway of the node's bridge: where pods reach this host
work=$(mktemp -d "${TMPDIR:-/tmp}/castellan-demo.XXXXXX")
pids=()
node_started=no
cleanup() {
  local status=$?
  set +e
  step "Cleaning up"
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null; done
  if [ "$node_started" = yes ] && [ "${CASTELLAN_DEMO_KEEP:-}" != 1 ]; then
    e2e/node.sh down >"$work/node-down.log" 2>&1
    say "stopped the node and its control plane (set CASTELLAN_DEMO_KEEP=1 to keep them)"
  fi
  if [ "$status" -eq 0 ]; then rm -rf "$work"; else say "logs stay in $work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

step "Starting a real node: kubelet, containerd, CNI bridge, and its control plane (e2e/node.sh up)"
if ! e2e/node.sh up >"$work/node-up.log" 2>&1 || ! e2e/node.sh status >/dev/null 2>&1; then
  tail -n 5 "$work/node-up.log" | sed 's/^/    /'
  say "the node did not come up here; its log: $work/node-up.log"
  e2e/node.sh down >/dev/null 2>&1 || true
  exit 3
fi
node_started=yes
grep -i 'ready in' "$work/node-up.log" | sed 's/^/    /' || true
eval "$(e2e/node.sh env)"
node=$(kubectl get nodes -o jsonpath='{.items[0].metadata.name}')
run kubectl get nodes -o wide

step "Building Castellan's images and pushing them to the local registry (scripts/images.sh push)"
scripts/images.sh push 2>"$work/images.log" | sed 's/^/    /'

step "Installing Castellan as a user does: kubectl apply -k config/overlays/local"
run kubectl apply -k config/overlays/local
check "castellan-manager rolled out (2 replicas)" \
  kubectl rollout status deployment/castellan-manager -n castellan-system --timeout=180s
check "castellan-sensor ready on $node" \
  kubectl rollout status daemonset/castellan-sensor -n castellan-sensor --timeout=180s
sensor_ready() { kubectl get nodesensor "$node" -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}' | grep -qx True; }
check "NodeSensor $node Ready" wait_until 90 sensor_ready
run kubectl get pods -n castellan-system -o wide
run kubectl get pods -n castellan-sensor -o wide

step "Applying the sample policies (config/samples) and a notify receiver"
receiver_port=$((20000 + RANDOM % 12000))
python3 scripts/demo/notify_receiver.py "$receiver_port" "$node_ip" >"$work/receiver.log" 2>&1 &
pids+=($!)
kubectl apply -f examples/namespaces.yaml >/dev/null
run kubectl apply -k config/samples
# The sample notifies https://hooks.example.com; here it goes to the receiver on this host.
kubectl patch securitypolicy runtime-threats --type=json -p "[{\"op\": \"replace\",
  \"path\": \"/spec/runtime/responses/0/notify/url\",
  \"value\": \"http://$node_ip:$receiver_port/castellan\"}]" >/dev/null
synced() {
  local hash
  hash=$(kubectl get configmap castellan-runtime-ruleset -n castellan-system -o jsonpath='{.data.hash}')
  [ -n "$hash" ] && [ "$(kubectl get nodesensor "$node" -o jsonpath='{.status.rulesetHash}')" = "$hash" ]
}
check "the sensor on $node loaded the runtime ruleset" wait_until 90 synced
run kubectl get securitypolicies

step "1. Admission: a privileged pod is denied at kubectl apply"
say "$ kubectl apply -f examples/privileged-pod.yaml"
expect_denied "the privileged pod" kubectl apply -f examples/privileged-pod.yaml

step "2. Runtime: a shell in a real container of prod-web"
image=127.0.0.1:5000/castellan/workload:local
kubectl apply -f - >/dev/null <<YAML
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: prod-web}
spec:
  replicas: 1
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      terminationGracePeriodSeconds: 1
      containers:
      - name: web
        image: $image
        command: [sleep, "3600"]
        resources: {limits: {cpu: 100m, memory: 64Mi}}
        securityContext:
          runAsNonRoot: true
          runAsUser: 1000
          allowPrivilegeEscalation: false
          readOnlyRootFilesystem: true
          capabilities: {drop: [ALL]}
          seccompProfile: {type: RuntimeDefault}
YAML
check "Deployment prod-web/web rolled out" kubectl rollout status deployment/web -n prod-web --timeout=120s
pod=$(kubectl get pods -n prod-web -l app=web -o jsonpath='{.items[0].metadata.name}')
image_id=$(kubectl get pod "$pod" -n prod-web -o jsonpath='{.status.containerStatuses[0].imageID}')
say "pod prod-web/$pod runs $image (the registry's digest: ${image_id#*@})"
say "$ kubectl exec -n prod-web $pod -- sh -c 'echo I am a shell'"
code=0
for _ in $(seq 30); do
  set +e
  kubectl exec -n prod-web "$pod" -- sh -c 'echo I am a shell' >"$work/shell.out" 2>&1
  code=$?
  set -e
  [ "$code" -eq 137 ] && break
  sleep 1 # the sensor scopes a container once it sees the Pod's status name it
done
if [ "$code" -eq 137 ]; then say "ok: the shell was killed before it ran (exit 137, rule shell-in-container: Kill)"; else say "FAILED: the shell exited with $code"; failures=$((failures + 1)); fi
check "the kill is counted in status.runtime.killed" \
  wait_until 60 status_at_least runtime-threats .status.runtime.killed 1
run kubectl get events -n prod-web --field-selector reason=RuntimeViolation

step "3. Responses on the real pod, node and image"
check "four response actions taken" \
  wait_until 60 status_at_least runtime-threats .status.responses.taken 4
run kubectl get pod "$pod" -n prod-web --show-labels
check "pod $pod labelled castellan.io/quarantine=true" \
  sh -c "kubectl get pod $pod -n prod-web -o jsonpath='{.metadata.labels}' | grep -q quarantine"
check "NetworkPolicy castellan-quarantine denies all its ingress and egress" \
  kubectl get networkpolicy castellan-quarantine -n prod-web
say "(the bridge CNI of this node does not enforce NetworkPolicy: the policy is the record a"
say " CNI that enforces it acts on)"
run kubectl get node "$node" -o jsonpath='{.spec.taints}'
echo
check "node $node tainted castellan.io/compromised=true:NoSchedule" \
  sh -c "kubectl get node $node -o jsonpath='{.spec.taints}' | grep -q castellan.io/compromised"
run kubectl get secpol runtime-threats -o jsonpath='{.status.quarantinedDigests[*].digest}'
echo
check "the quarantined digest is the one the registry served" \
  sh -c "kubectl get secpol runtime-threats -o jsonpath='{.status.quarantinedDigests[*].digest}' | grep -q '${image_id#*@}'"
check "the notify receiver got the alert" grep -q "shell-in-container" "$work/receiver.log"
sed 's/^/      /' "$work/receiver.log"
by_digest="127.0.0.1:5000/castellan/workload@${image_id#*@}"
say "a new Deployment of $by_digest:"
new_deployment() {
  cat <<YAML
apiVersion: apps/v1
kind: Deployment
metadata: {name: web-2, namespace: prod-web}
spec:
  selector: {matchLabels: {app: web-2}}
  template:
    metadata: {labels: {app: web-2}}
    spec:
      containers:
      - name: web
        image: $by_digest
        resources: {limits: {cpu: 100m, memory: 64Mi}}
YAML
}
apply_new_deployment() { new_deployment | kubectl apply -f -; }
expect_denied "the Deployment with the quarantined digest" apply_new_deployment

step "4. kubectl describe securitypolicy runtime-threats"
kubectl describe securitypolicy runtime-threats | sed 's/^/    /'

step "Releasing the digest and the node"
run kubectl annotate securitypolicy runtime-threats "castellan.io/release-digests=${image_id#*@}"
run kubectl taint node "$node" castellan.io/compromised-
released() { new_deployment | kubectl apply --dry-run=server -f -; }
check "a new Deployment of the released digest is admitted again" wait_until 30 released

step "Uninstalling: kubectl delete -k config/overlays/local"
kubectl delete securitypolicies --all >/dev/null
run kubectl delete -k config/overlays/local --timeout=180s
no_webhooks() { ! kubectl get validatingwebhookconfigurations,mutatingwebhookconfigurations -o name | grep -q castellan; }
check "no webhook configuration is left behind" wait_until 60 no_webhooks

finish
