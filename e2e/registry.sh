#!/usr/bin/env bash
# Runs a local OCI registry (Debian's docker-registry) on loopback for the node tests' images.
set -euo pipefail

readonly addr="${CASTELLAN_REGISTRY:-127.0.0.1:5000}"
readonly cache_dir="${XDG_CACHE_HOME:-$HOME/.cache}/castellan"
readonly storage_dir="${CASTELLAN_REGISTRY_STORAGE:-$cache_dir/registry}"
readonly state_dir="${CASTELLAN_REGISTRY_DIR:-${XDG_RUNTIME_DIR:-/tmp}/castellan-registry-${addr//[^0-9A-Za-z.]/-}}"
readonly ready_timeout="${CASTELLAN_READY_TIMEOUT:-30}"
readonly registry_bin="${DOCKER_REGISTRY:-/usr/bin/docker-registry}"

usage() {
  cat <<EOF
Usage: $(basename "$0") up | down | status | addr | help

  up      Start docker-registry on $addr (plain HTTP) unless a registry already
          answers there; wait until /v2/ answers. Idempotent.
  down    Stop the registry this script started; keep its storage.
  status  Say whether a registry answers on $addr (exit 0 if so, 1 if not).
  addr    Print the registry address (host:port), as image references use it.
  help    Show this help.

Address:  CASTELLAN_REGISTRY=host:port (default 127.0.0.1:5000; keep it on loopback).
Storage:  $storage_dir (CASTELLAN_REGISTRY_STORAGE), kept across runs.
State:    $state_dir (CASTELLAN_REGISTRY_DIR): config, pid, log.
Binary:   $registry_bin (DOCKER_REGISTRY; Debian package docker-registry).
Exit codes: 0 success, 1 failure, 2 usage error.
EOF
}

log() { echo "registry: $*" >&2; }
die() { log "error: $*"; exit 1; }

pid_alive() { [ -n "$1" ] && kill -0 "$1" 2>/dev/null; }

read_pid() { cat "$state_dir/registry.pid" 2>/dev/null || true; }

# True when a Docker Registry HTTP API v2 server answers at the address.
answers() {
  curl -sf --max-time 2 -o /dev/null -D - "http://$addr/v2/" 2>/dev/null \
    | grep -qi '^docker-distribution-api-version: registry/2'
}

write_config() {
  cat >"$state_dir/config.yml" <<EOF
version: 0.1
log:
  level: info
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $storage_dir
  delete:
    enabled: true
  cache:
    blobdescriptor: inmemory
http:
  addr: $addr
  secret: $(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
  headers:
    X-Content-Type-Options: [nosniff]
EOF
}

cmd_up() {
  if answers; then
    if pid_alive "$(read_pid)"; then
      log "already up on $addr (pid $(read_pid))"
    else
      log "a registry already answers on $addr; using it"
    fi
    return 0
  fi
  [ -x "$registry_bin" ] || die "$registry_bin not found (apt-get install docker-registry, or scripts/install-deps.sh)"
  command -v curl >/dev/null || die "curl not found"
  case "$addr" in
    127.* | localhost:* | "[::1]":*) ;;
    *) log "warning: $addr is not a loopback address; the registry has no authentication" ;;
  esac
  local old
  old=$(read_pid)
  if pid_alive "$old"; then
    log "pid $old from an earlier run is alive but does not answer; stopping it"
    stop_pid "$old"
  fi
  mkdir -p "$state_dir" "$storage_dir"
  write_config
  log "starting docker-registry on $addr (storage $storage_dir)"
  # The daemon must not keep descriptors of its caller open (a caller's flock, a pipe).
  # shellcheck disable=SC2016 # expanded by the inner bash
  setsid bash -c 'for fd in /proc/$$/fd/*; do
      n=${fd##*/}; [ "$n" -le 2 ] || eval "exec $n>&-"; done; exec "$@"' registry \
    "$registry_bin" serve "$state_dir/config.yml" >"$state_dir/registry.log" 2>&1 </dev/null &
  echo $! >"$state_dir/registry.pid"
  local deadline=$(($(date +%s) + ready_timeout))
  until answers; do
    if ! pid_alive "$(read_pid)"; then
      tail -n 20 "$state_dir/registry.log" >&2 || true
      die "docker-registry exited (log: $state_dir/registry.log)"
    fi
    if [ "$(date +%s)" -ge "$deadline" ]; then
      tail -n 20 "$state_dir/registry.log" >&2 || true
      die "docker-registry did not answer on $addr within ${ready_timeout}s (log: $state_dir/registry.log)"
    fi
    sleep 0.1
  done
  log "up on $addr (pid $(read_pid))"
}

# Sends SIGTERM, waits up to 10 s, then SIGKILL.
stop_pid() {
  local pid=$1
  pid_alive "$pid" || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 100); do
    pid_alive "$pid" || return 0
    sleep 0.1
  done
  log "docker-registry ($pid) did not stop on SIGTERM; killing it"
  kill -KILL "$pid" 2>/dev/null || true
}

cmd_down() {
  local pid
  pid=$(read_pid)
  if ! pid_alive "$pid"; then
    rm -f "$state_dir/registry.pid"
    if answers; then
      log "a registry answers on $addr but was not started by this script; left alone"
    else
      log "not running"
    fi
    return 0
  fi
  stop_pid "$pid"
  rm -f "$state_dir/registry.pid"
  log "stopped; storage kept in $storage_dir"
}

cmd_status() {
  if answers; then
    local pid
    pid=$(read_pid)
    if pid_alive "$pid"; then
      echo "up on $addr (pid $pid, storage $storage_dir)"
    else
      echo "up on $addr (not started by this script)"
    fi
    return 0
  fi
  echo "down ($addr does not answer)"
  return 1
}

cmd=${1:-help}
[ $# -le 1 ] || { usage >&2; exit 2; }
case "$cmd" in
  up) cmd_up ;;
  down) cmd_down ;;
  status) cmd_status ;;
  addr) echo "$addr" ;;
  help | -h | --help) usage ;;
  *)
    usage >&2
    exit 2
    ;;
esac
