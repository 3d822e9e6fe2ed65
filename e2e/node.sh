#!/usr/bin/env bash
# Runs a real single-node Kubernetes 1.20 cluster on this machine: etcd, kube-apiserver,
# kube-controller-manager, kube-scheduler, containerd + runc, a CNI bridge, kubelet, kube-proxy.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
readonly root
readonly templates="$root/e2e/node/config"
readonly state_dir="${CASTELLAN_NODE_DIR:-/var/lib/castellan-node}"
readonly cp_dir="$state_dir/controlplane"
readonly timeout_s="${CASTELLAN_NODE_TIMEOUT:-120}"
readonly node_name="${CASTELLAN_NODE_NAME:-castellan-node}"
readonly bridge=castellan0
readonly node_ip=10.244.0.1
readonly pod_cidr=10.244.0.0/24
readonly range_start=10.244.0.10
readonly service_cidr=10.96.0.0/24
readonly registry="${CASTELLAN_REGISTRY:-127.0.0.1:5000}"
readonly pause_image="${CASTELLAN_PAUSE_IMAGE:-$registry/castellan/pause:3.4.1}"
readonly socket="$state_dir/containerd/containerd.sock"
readonly kubelet_dir="$state_dir/kubelet"
# What node.sh starts itself; etcd and kube-apiserver belong to controlplane.sh.
readonly components=(kube-controller-manager kube-scheduler containerd kubelet kube-proxy)
# What kubelet, kube-proxy and the CNI plugins change; put back by down.
readonly sysctls=(vm.overcommit_memory vm.panic_on_oom kernel.panic kernel.panic_on_oops
  kernel.keys.root_maxkeys kernel.keys.root_maxbytes net.ipv4.ip_forward
  net.ipv4.conf.all.route_localnet net.bridge.bridge-nf-call-iptables)
# Paths kubelet, containerd and the CNI plugins create outside the state directory.
readonly outside_paths=(/var/lib/kubelet /var/lib/kubelet/device-plugins /var/log/pods
  /var/log/containers /var/lib/cni /run/containerd /run/netns /usr/libexec/kubernetes)

usage() {
  cat <<EOF
Usage: $(basename "$0") up | down | env | status | help

  up      Start a single-node cluster (root only) and wait until node '$node_name' is Ready
          and the 'default' ServiceAccount has its token; prints 'export KUBECONFIG=...'.
  down    Stop everything and put the machine back as it was: processes, containers,
          mounts, iptables chains, the bridge, kubepods cgroups, sysctls, state. Safe to
          run at any time, also after a crash. Stops the registry if up started it.
  env     Print the exports for the running node:  eval "\$($(basename "$0") env)"
  status  Report each component; exit 0 if the node is Ready, 1 if not.
  help    Show this help.

Node $node_name at $node_ip on bridge $bridge; pods $pod_cidr, Services $service_cidr;
kube-apiserver on $node_ip (port in $cp_dir/apiserver.port).
State: $state_dir (CASTELLAN_NODE_DIR); kubeconfig $cp_dir/kubeconfig;
containerd socket $socket; kubelet root $kubelet_dir; logs $state_dir/log/.
Images come from $registry (CASTELLAN_REGISTRY, plain HTTP); pod sandboxes use
$pause_image (CASTELLAN_PAUSE_IMAGE). up runs e2e/registry.sh up and
scripts/images.sh push pause when those scripts exist.
Binaries: e2e/kube-binaries.sh path NAME (honours KUBE_APISERVER, KUBELET, ...).
CASTELLAN_NODE_TIMEOUT: seconds each wait may take (default 120).
CASTELLAN_E2E_APISERVER_ARGS adds kube-apiserver flags; CASTELLAN_CRD_DIR as controlplane.sh.
Exit codes: 0 success, 1 failure, 2 usage error.
EOF
}

log() { echo "node: $*" >&2; }
die() { log "error: $*"; exit 1; }

require_root() { [ "$(id -u)" -eq 0 ] || die "must run as root"; }

now_ms() { echo $(($(date +%s%N) / 1000000)); }

pid_file() { echo "$state_dir/run/$1.pid"; }
log_file() { echo "$state_dir/log/$1.log"; }

# Prints the pid of a component if it still runs the executable it was started with.
component_pid() {
  local file pid exe
  file=$(pid_file "$1")
  [ -f "$file" ] || return 1
  read -r pid exe <"$file" || true
  [ -n "$pid" ] && [ "$(readlink "/proc/$pid/exe" 2>/dev/null)" = "$exe" ] || return 1
  echo "$pid"
}

start_component() {
  local name=$1 exe
  shift
  exe=$(readlink -f "$(command -v "$1")")
  setsid "$@" >"$(log_file "$name")" 2>&1 </dev/null &
  echo "$! $exe" >"$(pid_file "$name")"
  # setsid execs the component: wait for that so component_pid recognises it.
  for _ in $(seq 50); do
    [ "$(readlink "/proc/$!/exe" 2>/dev/null)" = "$exe" ] && return 0
    kill -0 "$!" 2>/dev/null || break
    sleep 0.02
  done
  fail_with_log "$name" "$name did not start"
}

# Sends SIGTERM to the named components at once, waits up to 10 s, then sends SIGKILL.
stop_components() {
  local name pid pids=() alive
  for name in "$@"; do
    pid=$(component_pid "$name") || continue
    log "stopping $name ($pid)"
    kill -TERM "$pid" 2>/dev/null && pids+=("$pid")
  done
  for _ in $(seq 100); do
    alive=()
    for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive+=("$pid"); done
    [ ${#alive[@]} -gt 0 ] || return 0
    sleep 0.1
  done
  log "killing what did not stop on SIGTERM: ${alive[*]}"
  kill -KILL "${alive[@]}" 2>/dev/null || true
}

fail_with_log() {
  local name=$1
  shift
  log "last lines of $(log_file "$name"):"
  tail -n 40 "$(log_file "$name")" >&2 2>/dev/null || true
  die "$*"
}

# Polls a check every 0.5 s until it succeeds; fails when the component exits or at the deadline.
wait_for() {
  local what=$1 name=$2
  shift 2
  local deadline=$(($(date +%s) + timeout_s))
  # A subshell: a signal's exit trap then runs with this shell's stderr, not /dev/null.
  until ("$@") >/dev/null 2>&1; do
    component_pid "$name" >/dev/null || fail_with_log "$name" "$name exited while waiting for $what"
    [ "$(date +%s)" -lt "$deadline" ] || fail_with_log "$name" "timed out after ${timeout_s}s waiting for $what"
    sleep 0.5
  done
}

record_machine() {
  local key path
  : >"$state_dir/sysctl.saved"
  for key in "${sysctls[@]}"; do
    sysctl -n "$key" >/dev/null 2>&1 && echo "$key=$(sysctl -n "$key")" >>"$state_dir/sysctl.saved"
  done
  : >"$state_dir/created.paths"
  for path in "${outside_paths[@]}"; do
    [ -e "$path" ] || echo "$path" >>"$state_dir/created.paths"
  done
}

restore_sysctls() {
  local file="$state_dir/sysctl.saved" key value
  [ -f "$file" ] || return 0
  while IFS='=' read -r key value; do
    [ "$(sysctl -n "$key" 2>/dev/null)" = "$value" ] && continue
    log "restoring $key=$value"
    sysctl -qw "$key=$value" || log "warning: could not restore $key"
  done <"$file"
}

remove_created_paths() {
  local file="$state_dir/created.paths" path
  [ -f "$file" ] || return 0
  # Children are listed after their parents: remove in reverse.
  tac "$file" | while read -r path; do
    [ -e "$path" ] || continue
    log "removing $path"
    rm -rf "$path"
  done
}

setup_bridge() {
  log "creating bridge $bridge with $node_ip/${pod_cidr#*/}"
  ip link add "$bridge" type bridge
  ip addr add "$node_ip/${pod_cidr#*/}" dev "$bridge"
  ip link set "$bridge" up
  # Service addresses never leave the machine, even before kube-proxy has written its rules.
  ip route add "$service_cidr" dev "$bridge" src "$node_ip"
  # Pods reach each other, the node and Services; nothing beyond the machine.
  iptables -w -N CASTELLAN-NODE-FORWARD
  iptables -w -A CASTELLAN-NODE-FORWARD -i "$bridge" ! -o "$bridge" -j DROP
  iptables -w -I FORWARD -j CASTELLAN-NODE-FORWARD
  # Replies between pods on the bridge pass through kube-proxy's NAT rules.
  sysctl -qw net.bridge.bridge-nf-call-iptables=1 2>/dev/null || true
}

remove_links() {
  local link
  for link in $(ip -o link show master "$bridge" 2>/dev/null | awk -F': ' '{print $2}' | cut -d@ -f1); do
    ip link del "$link" 2>/dev/null || true
  done
  if ip link show "$bridge" >/dev/null 2>&1; then
    log "deleting bridge $bridge"
    ip link del "$bridge"
  fi
}

# Forgets the connections of pods and Services.
remove_conntrack() {
  command -v conntrack >/dev/null 2>&1 || return 0
  local cidr
  for cidr in "$pod_cidr" "$service_cidr"; do
    conntrack -D -s "$cidr" >/dev/null 2>&1 || true
    conntrack -D -d "$cidr" >/dev/null 2>&1 || true
  done
}

# Deletes the KUBE-*, CNI-* and CASTELLAN-* chains and the rules that jump to them.
remove_chains() {
  local cmd table rules rule chain chains
  for cmd in iptables ip6tables; do
    command -v "$cmd-save" >/dev/null 2>&1 || continue
    for table in filter nat mangle raw; do
      rules=$("$cmd-save" -t "$table" 2>/dev/null) || continue
      chains=$(sed -nE 's/^:((KUBE|CNI|CASTELLAN)-[^ ]+) .*/\1/p' <<<"$rules")
      [ -n "$chains" ] || continue
      while read -r rule; do
        [ -n "$rule" ] || continue
        eval "$cmd -w -t $table -D ${rule#-A }" 2>/dev/null || true
      done < <(grep -E -- '^-A [^ ]+ .*-[jg] (KUBE|CNI|CASTELLAN)-' <<<"$rules" | grep -vE '^-A (KUBE|CNI|CASTELLAN)-' || true)
      for chain in $chains; do "$cmd" -w -t "$table" -F "$chain" 2>/dev/null || true; done
      for chain in $chains; do "$cmd" -w -t "$table" -X "$chain" 2>/dev/null || true; done
      log "deleted $cmd $table chains: $(echo "$chains" | wc -l)"
    done
  done
}

cgroup_mounts() { awk '$3 == "cgroup" || $3 == "cgroup2" {print $2}' /proc/mounts; }

kubepods_pids() {
  local mount
  for mount in $(cgroup_mounts); do
    [ -d "$mount/kubepods" ] || continue
    # Cgroups vanish while they are read: what is left is read again by the caller.
    find "$mount/kubepods" -name cgroup.procs -exec cat {} + 2>/dev/null || true
  done | sort -u
}

# Kills every process in the node's pod cgroups, the shims of its containerd, then containerd.
kill_containers() {
  local pids pid
  for _ in $(seq 50); do
    pids=$(kubepods_pids)
    [ -n "$pids" ] || break
    # shellcheck disable=SC2086
    kill -KILL $pids 2>/dev/null || true
    sleep 0.1
  done
  [ -z "$(kubepods_pids)" ] || log "warning: processes left in kubepods cgroups: $(kubepods_pids | xargs)"
  for pid in $(shim_pids); do kill -KILL "$pid" 2>/dev/null || true; done
}

# The containerd shims started for this node's socket (their command line names it).
shim_pids() {
  local dir cmdline
  for dir in /proc/[0-9]*; do
    cmdline=$(tr '\0' ' ' <"$dir/cmdline" 2>/dev/null) || continue
    case "$cmdline" in
      *containerd-shim*" -address $socket "*) echo "${dir#/proc/}" ;;
    esac
  done
}

# Unmounts everything below the state directory, deepest first (overlay rootfs, shm,
# network namespaces, kubelet's volumes and the bind mount of its root).
unmount_state() {
  local mounts mount
  for _ in $(seq 10); do
    mounts=$(awk -v p="$state_dir" '$5 == p || index($5, p "/") == 1 {print $5}' /proc/self/mountinfo | sort -r)
    [ -n "$mounts" ] || return 0
    for mount in $mounts; do
      umount "$mount" 2>/dev/null || umount -l "$mount" 2>/dev/null || true
    done
  done
  log "warning: mounts left below $state_dir"
}

# Removes the kubepods cgroups in every hierarchy, children first.
remove_cgroups() {
  local mount
  for mount in $(cgroup_mounts); do
    [ -d "$mount/kubepods" ] || continue
    find "$mount/kubepods" -depth -type d -exec rmdir {} + 2>/dev/null || true
    [ -d "$mount/kubepods" ] && log "warning: could not remove $mount/kubepods"
  done
  return 0
}

new_key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }

# Issues pki/NAME.crt signed by the node's CA: NAME SUBJECT EXTENDED_KEY_USAGE [SUBJECT_ALT_NAMES].
issue_cert() {
  local name=$1 subject=$2 usage=$3 sans=${4:-}
  local pki="$state_dir/pki"
  new_key "$pki/$name.key"
  openssl req -new -key "$pki/$name.key" -subj "$subject" -out "$pki/$name.csr" 2>/dev/null
  {
    echo "basicConstraints=critical,CA:FALSE"
    echo "keyUsage=critical,digitalSignature,keyEncipherment"
    echo "extendedKeyUsage=$usage"
    [ -z "$sans" ] || echo "subjectAltName=$sans"
  } >"$pki/$name.ext"
  openssl x509 -req -in "$pki/$name.csr" -CA "$pki/ca.crt" -CAkey "$pki/ca.key" -CAcreateserial \
    -days 30 -extfile "$pki/$name.ext" -out "$pki/$name.crt" 2>/dev/null
  rm -f "$pki/$name.csr" "$pki/$name.ext"
}

make_pki() {
  local pki="$state_dir/pki"
  mkdir -p "$pki"
  chmod 700 "$pki"
  new_key "$pki/ca.key"
  openssl req -x509 -new -key "$pki/ca.key" -subj "/CN=castellan-node-ca" -days 30 \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -out "$pki/ca.crt" 2>/dev/null
  issue_cert kubelet-serving "/CN=$node_name" serverAuth "IP:$node_ip,DNS:$node_name"
  issue_cert kubelet "/O=system:nodes/CN=system:node:$node_name" clientAuth
  issue_cert apiserver-kubelet-client "/CN=kube-apiserver-kubelet-client" clientAuth
  issue_cert kube-controller-manager "/CN=system:kube-controller-manager" clientAuth
  issue_cert kube-scheduler "/CN=system:kube-scheduler" clientAuth
  issue_cert kube-proxy "/CN=system:kube-proxy" clientAuth
}

apiserver_url() { echo "https://$(cat "$cp_dir/apiserver.address"):$(cat "$cp_dir/apiserver.port")"; }

write_kubeconfig() {
  local name=$1
  cat >"$state_dir/$name.kubeconfig" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: $node_name
  cluster:
    server: $(apiserver_url)
    certificate-authority: $cp_dir/cert/apiserver.crt
users:
- name: $name
  user:
    client-certificate: $state_dir/pki/$name.crt
    client-key: $state_dir/pki/$name.key
contexts:
- name: $name
  context: {cluster: $node_name, user: $name}
current-context: $name
EOF
  chmod 600 "$state_dir/$name.kubeconfig"
}

# Copies a template from e2e/node/config/, replacing each @KEY@ with the node's value.
render() {
  sed -e "s|@STATE@|$state_dir|g" -e "s|@SOCKET@|$socket|g" -e "s|@BRIDGE@|$bridge|g" \
    -e "s|@NODE_IP@|$node_ip|g" -e "s|@NODE_NAME@|$node_name|g" -e "s|@POD_CIDR@|$pod_cidr|g" \
    -e "s|@RANGE_START@|$range_start|g" -e "s|@PAUSE_IMAGE@|$pause_image|g" \
    -e "s|@REGISTRY@|$registry|g" "$templates/$1" >"$2"
  ! grep -q '@[A-Z_]*@' "$2" || die "placeholder left in $2"
}

kube() { kubectl --kubeconfig "$cp_dir/kubeconfig" --request-timeout=10s "$@"; }

binary() { "$root/e2e/kube-binaries.sh" path "$1" || die "no $1 binary"; }

check_tools() {
  local tool
  for tool in containerd containerd-shim-runc-v2 runc ip iptables iptables-save sysctl etcd kubectl openssl curl; do
    command -v "$tool" >/dev/null 2>&1 || die "$tool not found (run scripts/install-deps.sh)"
  done
  for tool in bridge host-local loopback portmap; do
    [ -x "/usr/lib/cni/$tool" ] || die "/usr/lib/cni/$tool not found (apt-get install containernetworking-plugins)"
  done
}

# Starts the loopback registry and pushes the pause image, when the image scripts exist.
# A registry started here is stopped again by down; one that already ran is left running.
ensure_pause_image() {
  if [ -x "$root/e2e/registry.sh" ]; then
    if ! "$root/e2e/registry.sh" status >/dev/null 2>&1; then
      "$root/e2e/registry.sh" up >&2 || die "e2e/registry.sh up failed"
      touch "$state_dir/run/registry-started"
    fi
  fi
  if [ -x "$root/scripts/images.sh" ]; then
    "$root/scripts/images.sh" push pause >&2 || die "scripts/images.sh push pause failed"
  fi
}

start_controlplane() {
  log "starting etcd and kube-apiserver on $node_ip"
  CASTELLAN_CONTROLPLANE_DIR="$cp_dir" CASTELLAN_APISERVER_ADDRESS="$node_ip" \
    CASTELLAN_SERVICE_CIDR="$service_cidr" CASTELLAN_SERVICEACCOUNT_ADMISSION=1 \
    CASTELLAN_READY_TIMEOUT="$timeout_s" \
    CASTELLAN_E2E_APISERVER_ARGS="--client-ca-file=$state_dir/pki/ca.crt
      --kubelet-certificate-authority=$state_dir/pki/ca.crt
      --kubelet-client-certificate=$state_dir/pki/apiserver-kubelet-client.crt
      --kubelet-client-key=$state_dir/pki/apiserver-kubelet-client.key
      --kubelet-preferred-address-types=InternalIP ${CASTELLAN_E2E_APISERVER_ARGS:-}" \
    "$root/e2e/controlplane.sh" up >/dev/null || die "control plane did not start"
  kube apply -f "$templates/rbac.yaml" >/dev/null || die "kubectl apply of $templates/rbac.yaml failed"
  # Kubernetes 1.21 and later label every namespace with its name, and webhooks exclude
  # namespaces by that label; 1.20 does not, so the node's own namespaces get it here.
  local ns
  for ns in default kube-system kube-public kube-node-lease; do
    kube create namespace "$ns" >/dev/null 2>&1 || true
    kube label namespace "$ns" --overwrite "kubernetes.io/metadata.name=$ns" >/dev/null \
      || die "labelling namespace $ns failed"
  done
}

start_controllers() {
  write_kubeconfig kube-controller-manager
  write_kubeconfig kube-scheduler
  log "starting kube-controller-manager and kube-scheduler"
  start_component kube-controller-manager "$(binary kube-controller-manager)" \
    --kubeconfig "$state_dir/kube-controller-manager.kubeconfig" \
    --service-account-private-key-file "$cp_dir/sa.key" --root-ca-file "$cp_dir/cert/apiserver.crt" \
    --use-service-account-credentials=true \
    --cluster-signing-cert-file "$state_dir/pki/ca.crt" --cluster-signing-key-file "$state_dir/pki/ca.key" \
    --service-cluster-ip-range "$service_cidr" --cluster-cidr "$pod_cidr" --allocate-node-cidrs=false \
    --flex-volume-plugin-dir "$state_dir/kubelet-plugins" --leader-elect=false --port=0 --secure-port=0
  start_component kube-scheduler "$(binary kube-scheduler)" \
    --kubeconfig "$state_dir/kube-scheduler.kubeconfig" --leader-elect=false --port=0 --secure-port=0
}

containerd_ready() { timeout 5 ctr --address "$socket" version; }

start_containerd() {
  mkdir -p "$state_dir/containerd/certs.d/$registry" "$state_dir/cni/net.d"
  render containerd.toml "$state_dir/containerd/config.toml"
  render hosts.toml "$state_dir/containerd/certs.d/$registry/hosts.toml"
  render cni.conflist "$state_dir/cni/net.d/10-castellan.conflist"
  log "starting containerd on $socket"
  start_component containerd containerd --config "$state_dir/containerd/config.toml"
  wait_for "the containerd socket" containerd containerd_ready
}

start_node_agents() {
  write_kubeconfig kubelet
  write_kubeconfig kube-proxy
  render kubelet.yaml "$state_dir/kubelet.yaml"
  render kube-proxy.yaml "$state_dir/kube-proxy.yaml"
  mkdir -p "$kubelet_dir" "$state_dir/kubelet-plugins"
  log "starting kubelet and kube-proxy"
  # Without it, kubelet's ECR credential provider asks 169.254.169.254 for AWS credentials.
  AWS_EC2_METADATA_DISABLED=true start_component kubelet "$(binary kubelet)" --config "$state_dir/kubelet.yaml" \
    --kubeconfig "$state_dir/kubelet.kubeconfig" --root-dir "$kubelet_dir" \
    --container-runtime=remote --container-runtime-endpoint="unix://$socket" \
    --pod-infra-container-image="$pause_image" \
    --node-ip "$node_ip" --hostname-override "$node_name"
  start_component kube-proxy "$(binary kube-proxy)" --config "$state_dir/kube-proxy.yaml"
}

node_ready() {
  [ "$(kube get node "$node_name" -o 'jsonpath={.status.conditions[?(@.type=="Ready")].status}')" = True ]
}

default_token_ready() {
  [ -n "$(kube -n default get serviceaccount default -o 'jsonpath={.secrets[0].name}')" ]
}

is_up() { [ -f "$cp_dir/kubeconfig" ] && component_pid kubelet >/dev/null; }

cmd_up() {
  require_root
  if is_up; then
    log "already running; use '$0 down' first"
    cmd_env
    return 0
  fi
  if [ -d "$state_dir" ] || ip link show "$bridge" >/dev/null 2>&1; then
    log "cleaning up a previous run"
    cmd_down
  fi
  check_tools
  local name start
  for name in kube-apiserver kube-controller-manager kube-scheduler kubelet kube-proxy; do
    binary "$name" >/dev/null
  done
  start=$(now_ms)
  mkdir -p "$state_dir/run" "$state_dir/log"
  chmod 700 "$state_dir"
  record_machine
  trap 'exit 130' INT TERM
  trap 'on_up_exit $?' EXIT

  ensure_pause_image
  setup_bridge
  make_pki
  start_controlplane
  start_controllers
  start_containerd
  start_node_agents

  wait_for "node $node_name Ready" kubelet node_ready
  log "node Ready in $((($(now_ms) - start) / 1000)) s"
  wait_for "the default ServiceAccount's token" kube-controller-manager default_token_ready
  local component
  for component in "${components[@]}"; do
    component_pid "$component" >/dev/null || fail_with_log "$component" "$component exited"
  done
  trap - INT TERM EXIT
  log "up in $((($(now_ms) - start) / 1000)) s; kubectl: KUBECONFIG=$cp_dir/kubeconfig"
  cmd_env
}

# Copies the logs of a failed start out of the state directory that down removes.
keep_logs() {
  local dest
  dest=$(mktemp -d "${TMPDIR:-/tmp}/castellan-node-logs.XXXXXX")
  cp "$state_dir"/log/*.log "$cp_dir"/*.log "$dest/" 2>/dev/null || true
  log "logs kept in $dest"
}

on_up_exit() {
  [ "$1" -ne 0 ] || return 0
  keep_logs
  log "up failed; cleaning up"
  cmd_down
}

# Stops the registry if up started it (its storage, the image cache, stays).
stop_registry() {
  [ -f "$state_dir/run/registry-started" ] || return 0
  "$root/e2e/registry.sh" down >&2
}

cmd_down() {
  require_root
  if [ ! -d "$state_dir" ] && ! ip link show "$bridge" >/dev/null 2>&1; then
    log "not running"
    return 0
  fi
  # Each step does what it can; one that fails does not keep the others from running.
  local step
  for step in stop_node_agents kill_containers stop_containerd stop_controlplane unmount_state \
    remove_chains remove_links remove_conntrack remove_cgroups remove_created_paths restore_sysctls \
    stop_registry; do
    "$step" || log "warning: $step did not finish"
  done
  rm -rf "$state_dir" || die "could not remove $state_dir"
  log "down; removed $state_dir"
}

stop_node_agents() { stop_components kubelet kube-proxy kube-scheduler kube-controller-manager; }

stop_containerd() { stop_components containerd; }

stop_controlplane() {
  [ -d "$cp_dir" ] || return 0
  CASTELLAN_CONTROLPLANE_DIR="$cp_dir" "$root/e2e/controlplane.sh" down 2>&1 | sed 's/^/  /' >&2
}

cmd_env() {
  [ -f "$cp_dir/kubeconfig" ] || die "not running; start it with '$0 up'"
  echo "export KUBECONFIG=$cp_dir/kubeconfig"
  echo "export CASTELLAN_NODE_NAME=$node_name"
  echo "export CONTAINER_RUNTIME_ENDPOINT=unix://$socket"
}

cmd_status() {
  if [ ! -d "$state_dir" ]; then
    echo "down"
    return 1
  fi
  local name pid
  CASTELLAN_CONTROLPLANE_DIR="$cp_dir" "$root/e2e/controlplane.sh" status | grep -v '^ready\|^not ready' || true
  for name in "${components[@]}"; do
    if pid=$(component_pid "$name"); then
      echo "$name: running (pid $pid, log $(log_file "$name"))"
    else
      echo "$name: not running"
    fi
  done
  if [ -f "$cp_dir/kubeconfig" ] && node_ready 2>/dev/null; then
    echo "node $node_name: Ready ($node_ip); KUBECONFIG=$cp_dir/kubeconfig"
    return 0
  fi
  echo "node $node_name: not Ready"
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
