#!/usr/bin/env bash
# Runs a local Kubernetes control plane (etcd + kube-apiserver on loopback) with Castellan's CRDs.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
state_dir="${CASTELLAN_CONTROLPLANE_DIR:-${XDG_RUNTIME_DIR:-/tmp}/castellan-controlplane}"
crd_dir="${CASTELLAN_CRD_DIR:-$root/crds}"
ready_timeout="${CASTELLAN_READY_TIMEOUT:-90}"
apiserver_address="${CASTELLAN_APISERVER_ADDRESS:-127.0.0.1}"
service_cidr="${CASTELLAN_SERVICE_CIDR:-10.0.0.0/24}"
serviceaccount_admission="${CASTELLAN_SERVICEACCOUNT_ADMISSION:-0}"

usage() {
  cat <<EOF
Usage: $(basename "$0") up | down | env | status | help

  up      Start etcd and kube-apiserver on free ports, write a kubeconfig,
          install $crd_dir/*.yaml and wait until the CRDs are Established.
  down    Stop both processes and remove the state directory.
  env     Print 'export KUBECONFIG=...' for the running control plane:
            eval "\$($(basename "$0") env)"
  status  Say whether the control plane is running and ready (exit 0 if so, 1 if not).
  help    Show this help.

State lives in $state_dir (set CASTELLAN_CONTROLPLANE_DIR to change it).
CASTELLAN_E2E_APISERVER_ARGS adds kube-apiserver flags (space-separated).
CASTELLAN_APISERVER_ADDRESS: kube-apiserver's bind and advertise address (default 127.0.0.1;
  etcd stays on loopback). CASTELLAN_SERVICE_CIDR: the Service range (default 10.0.0.0/24).
CASTELLAN_SERVICEACCOUNT_ADMISSION=1 keeps the ServiceAccount admission plugin on (it is off
  by default: nothing creates the 'default' ServiceAccount without a controller-manager).
kube-apiserver comes from e2e/kube-apiserver.sh path (honours KUBE_APISERVER).
Exit codes: 0 success, 1 failure, 2 usage error.
EOF
}

log() { echo "controlplane: $*" >&2; }
die() { log "error: $*"; exit 1; }

# Picks a port below the ephemeral range that nothing listens on at an address (default loopback).
free_port() {
  local address=${1:-127.0.0.1} port
  for _ in $(seq 200); do
    port=$((20000 + RANDOM % 12000))
    if ! (exec 3<>"/dev/tcp/$address/$port") 2>/dev/null; then
      echo "$port"
      return 0
    fi
  done
  die "no free loopback port found"
}

pid_alive() { [ -n "$1" ] && kill -0 "$1" 2>/dev/null; }

read_pid() { cat "$state_dir/$1.pid" 2>/dev/null || true; }

# Sends SIGTERM, waits up to 15 s, then SIGKILL.
stop_pid() {
  local pid=$1 name=$2
  pid_alive "$pid" || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 150); do
    pid_alive "$pid" || return 0
    sleep 0.1
  done
  log "$name ($pid) did not stop on SIGTERM; killing it"
  kill -KILL "$pid" 2>/dev/null || true
}

cmd_down() {
  [ -d "$state_dir" ] || { log "not running"; return 0; }
  stop_pid "$(read_pid kube-apiserver)" kube-apiserver
  stop_pid "$(read_pid etcd)" etcd
  rm -rf "$state_dir"
  log "stopped; removed $state_dir"
}

api() {
  curl -sS --max-time 5 --cacert "$state_dir/cert/apiserver.crt" \
    -H "Authorization: Bearer $(cat "$state_dir/token")" "$@"
}

apiserver_url() { echo "https://$(cat "$state_dir/apiserver.address"):$(cat "$state_dir/apiserver.port")"; }

is_ready() { [ "$(api "$(apiserver_url)/readyz" 2>/dev/null)" = ok ]; }

# Polls until a command succeeds or the timeout passes; tails the log on failure.
wait_for() {
  local what=$1 logfile=$2 pidname=$3
  shift 3
  local deadline=$(($(date +%s) + ready_timeout))
  until "$@"; do
    if ! pid_alive "$(read_pid "$pidname")"; then
      tail -n 30 "$logfile" >&2 || true
      die "$pidname exited while waiting for $what (log: $logfile)"
    fi
    if [ "$(date +%s)" -ge "$deadline" ]; then
      tail -n 30 "$logfile" >&2 || true
      die "timed out after ${ready_timeout}s waiting for $what (log: $logfile)"
    fi
    sleep 0.2
  done
}

etcd_healthy() { curl -sf --max-time 2 "http://127.0.0.1:$(cat "$state_dir/etcd.port")/health" >/dev/null 2>&1; }

start_detached() {
  local name=$1
  shift
  setsid "$@" >"$state_dir/$name.log" 2>&1 </dev/null &
  echo $! >"$state_dir/$name.pid"
}

write_kubeconfig() {
  cat >"$state_dir/kubeconfig" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: castellan-local
  cluster:
    server: $(apiserver_url)
    certificate-authority: $state_dir/cert/apiserver.crt
users:
- name: castellan-admin
  user:
    token: $1
contexts:
- name: castellan-local
  context:
    cluster: castellan-local
    user: castellan-admin
current-context: castellan-local
EOF
  chmod 600 "$state_dir/kubeconfig"
}

install_crds() {
  shopt -s nullglob
  local files=("$crd_dir"/*.yaml)
  shopt -u nullglob
  local crds=()
  local f
  for f in "${files[@]}"; do
    grep -q '^kind: CustomResourceDefinition' "$f" && crds+=("$f")
  done
  if [ ${#crds[@]} -eq 0 ]; then
    log "warning: no CustomResourceDefinition in $crd_dir"
    return 0
  fi
  local args=()
  for f in "${crds[@]}"; do args+=(-f "$f"); done
  KUBECONFIG="$state_dir/kubeconfig" kubectl apply "${args[@]}" >&2 || die "kubectl apply of the CRDs failed"
  KUBECONFIG="$state_dir/kubeconfig" kubectl wait --for condition=Established --timeout="${ready_timeout}s" \
    "${args[@]}" >&2 || die "CRDs did not become Established"
}

cmd_up() {
  if [ -f "$state_dir/kubeconfig" ] && pid_alive "$(read_pid kube-apiserver)"; then
    log "already running; use '$0 down' first"
    cmd_env
    return 0
  fi
  [ -d "$state_dir" ] && cmd_down
  command -v etcd >/dev/null || die "etcd not found (apt-get install etcd-server)"
  command -v kubectl >/dev/null || die "kubectl not found (scripts/install-deps.sh installs one)"
  local apiserver start
  apiserver=$("$root/e2e/kube-apiserver.sh" path) || die "no kube-apiserver binary"
  start=$(date +%s%N)

  mkdir -p "$state_dir/cert"
  chmod 700 "$state_dir"
  trap 'exit 130' INT TERM
  trap 'rc=$?; [ $rc -eq 0 ] || { log "up failed; cleaning up"; cmd_down; }' EXIT

  local etcd_port peer_port apiserver_port token
  etcd_port=$(free_port)
  peer_port=$(free_port)
  apiserver_port=$(free_port "$apiserver_address")
  while [ "$peer_port" = "$etcd_port" ]; do peer_port=$(free_port); done
  while [ "$apiserver_port" = "$etcd_port" ] || [ "$apiserver_port" = "$peer_port" ]; do
    apiserver_port=$(free_port "$apiserver_address")
  done
  echo "$apiserver_address" >"$state_dir/apiserver.address"
  echo "$etcd_port" >"$state_dir/etcd.port"
  echo "$apiserver_port" >"$state_dir/apiserver.port"
  token=$(openssl rand -hex 24)
  echo "$token" >"$state_dir/token"
  echo "$token,castellan-admin,castellan-admin,\"system:masters\"" >"$state_dir/tokens.csv"
  openssl genrsa -out "$state_dir/sa.key" 2048 2>/dev/null
  openssl rsa -in "$state_dir/sa.key" -pubout -out "$state_dir/sa.pub" 2>/dev/null

  log "starting etcd on 127.0.0.1:$etcd_port"
  start_detached etcd etcd --name castellan --data-dir "$state_dir/etcd" \
    --listen-client-urls "http://127.0.0.1:$etcd_port" --advertise-client-urls "http://127.0.0.1:$etcd_port" \
    --listen-peer-urls "http://127.0.0.1:$peer_port" --initial-advertise-peer-urls "http://127.0.0.1:$peer_port" \
    --initial-cluster "castellan=http://127.0.0.1:$peer_port"
  wait_for "etcd" "$state_dir/etcd.log" etcd etcd_healthy

  local admission_args=()
  [ "$serviceaccount_admission" = 1 ] || admission_args=(--disable-admission-plugins=ServiceAccount)
  log "starting kube-apiserver ($apiserver) on $apiserver_address:$apiserver_port"
  start_detached kube-apiserver "$apiserver" \
    --etcd-servers "http://127.0.0.1:$etcd_port" \
    --cert-dir "$state_dir/cert" --secure-port "$apiserver_port" \
    --bind-address "$apiserver_address" --advertise-address "$apiserver_address" \
    --service-account-issuer https://kubernetes.default.svc \
    --service-account-key-file "$state_dir/sa.pub" \
    --service-account-signing-key-file "$state_dir/sa.key" \
    --token-auth-file "$state_dir/tokens.csv" \
    --authorization-mode RBAC --service-cluster-ip-range "$service_cidr" \
    --allow-privileged=true "${admission_args[@]}" \
    ${CASTELLAN_E2E_APISERVER_ARGS:-}
  wait_for "kube-apiserver /readyz" "$state_dir/kube-apiserver.log" kube-apiserver is_ready
  write_kubeconfig "$token"

  log "installing CRDs from $crd_dir"
  install_crds
  trap - INT TERM EXIT
  log "ready in $((($(date +%s%N) - start) / 1000000)) ms"
  cmd_env
}

cmd_env() {
  [ -f "$state_dir/kubeconfig" ] || die "not running; start it with '$0 up'"
  echo "export KUBECONFIG=$state_dir/kubeconfig"
}

cmd_status() {
  if [ ! -d "$state_dir" ]; then
    echo "down"
    return 1
  fi
  local etcd_pid api_pid
  etcd_pid=$(read_pid etcd)
  api_pid=$(read_pid kube-apiserver)
  pid_alive "$etcd_pid" && echo "etcd: running (pid $etcd_pid, port $(cat "$state_dir/etcd.port"))" \
    || echo "etcd: not running"
  pid_alive "$api_pid" && echo "kube-apiserver: running (pid $api_pid, $(apiserver_url))" \
    || echo "kube-apiserver: not running"
  if [ -f "$state_dir/kubeconfig" ] && is_ready; then
    echo "ready; KUBECONFIG=$state_dir/kubeconfig"
    return 0
  fi
  echo "not ready"
  return 1
}

case "${1:-help}" in
  up) cmd_up ;;
  down) cmd_down ;;
  env) cmd_env ;;
  status) cmd_status ;;
  help | -h | --help) usage ;;
  *)
    usage >&2
    exit 2
    ;;
esac
