#!/usr/bin/env bash
# Finds a kube-apiserver binary for the e2e tests, building it once if none is available.
set -euo pipefail

readonly kube_version=1.20.2
readonly cache_dir="${XDG_CACHE_HOME:-$HOME/.cache}/castellan"
readonly cached_binary="$cache_dir/kube-apiserver-v$kube_version"
# Kubernetes 1.20 vendors reflect2 1.0.1, which crashes under Go >= 1.18 (Debian ships 1.19).
readonly reflect2_src=/usr/share/gocode/src/github.com/modern-go/reflect2

usage() {
  cat <<EOF
Usage: $(basename "$0") path | build | help

  path    Print the path of a kube-apiserver binary, building it if needed.
          Looked up in order: \$KUBE_APISERVER, \$KUBEBUILDER_ASSETS/kube-apiserver,
          kube-apiserver on PATH, the cache $cached_binary;
          otherwise built from Debian's 'kubernetes' source package into that cache
          (needs root for apt-get the first time; progress on stderr).
  build   Build into the cache even if another binary is found elsewhere.
  help    Show this help.

Exit codes: 0 success, 1 build or lookup failure, 2 usage error.
EOF
}

log() { echo "kube-apiserver.sh: $*" >&2; }
die() { log "error: $*"; exit 1; }

is_runnable() { [ -f "$1" ] && [ -x "$1" ]; }

find_existing() {
  if [ -n "${KUBE_APISERVER:-}" ]; then
    is_runnable "$KUBE_APISERVER" || die "KUBE_APISERVER=$KUBE_APISERVER is not an executable file"
    echo "$KUBE_APISERVER"
    return 0
  fi
  if [ -n "${KUBEBUILDER_ASSETS:-}" ] && is_runnable "$KUBEBUILDER_ASSETS/kube-apiserver"; then
    echo "$KUBEBUILDER_ASSETS/kube-apiserver"
    return 0
  fi
  if command -v kube-apiserver >/dev/null 2>&1; then
    command -v kube-apiserver
    return 0
  fi
  if is_runnable "$cached_binary"; then
    echo "$cached_binary"
    return 0
  fi
  return 1
}

# Adds a deb-src entry for bookworm that uses the mirror of the existing deb entry.
ensure_deb_src() {
  if apt-cache showsrc kubernetes 2>/dev/null | grep -q '^Package: kubernetes'; then
    return 0
  fi
  [ "$(id -u)" -eq 0 ] || die "need root to add a deb-src entry and run apt-get update (or set KUBE_APISERVER)"
  local mirror=""
  if [ -f /etc/apt/sources.list.d/debian.sources ]; then
    mirror=$(awk '/^URIs:/ && $2 !~ /security/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources)
  fi
  if [ -z "$mirror" ] && [ -f /etc/apt/sources.list ]; then
    mirror=$(awk '$1 == "deb" && $0 !~ /security/ {print $2; exit}' /etc/apt/sources.list)
  fi
  mirror=${mirror:-http://deb.debian.org/debian}
  log "adding deb-src for bookworm from $mirror"
  cat >/etc/apt/sources.list.d/castellan-deb-src.sources <<EOF
Types: deb-src
URIs: $mirror
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
  apt-get update -q >&2 || die "apt-get update failed"
  apt-cache showsrc kubernetes 2>/dev/null | grep -q '^Package: kubernetes' \
    || die "source package 'kubernetes' not found after adding deb-src"
}

ensure_tools() {
  local missing=()
  command -v go >/dev/null 2>&1 || missing+=(golang-go)
  command -v rsync >/dev/null 2>&1 || missing+=(rsync)
  command -v dpkg-source >/dev/null 2>&1 || missing+=(dpkg-dev)
  command -v make >/dev/null 2>&1 || missing+=(make)
  [ -f "$reflect2_src/go_above_118.go" ] || missing+=(golang-github-modern-go-reflect2-dev)
  [ ${#missing[@]} -eq 0 ] && return 0
  [ "$(id -u)" -eq 0 ] || die "missing tools: ${missing[*]} (run scripts/install-deps.sh as root)"
  log "installing ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >&2
}

build() {
  ensure_tools
  ensure_deb_src
  local work start
  work=$(mktemp -d "${TMPDIR:-/tmp}/castellan-kube-build.XXXXXX")
  chmod 755 "$work" # lets apt download as its sandbox user
  # shellcheck disable=SC2064
  trap "rm -rf '$work'" EXIT
  trap 'exit 130' INT TERM
  start=$(date +%s)

  log "[1/4] downloading the kubernetes source package into $work"
  (cd "$work" && apt-get source -q -o APT::Sandbox::User=root kubernetes >&2) || die "apt-get source kubernetes failed"
  local src
  src=$(find "$work" -mindepth 1 -maxdepth 1 -type d -name 'kubernetes-*' | head -n1)
  [ -n "$src" ] || die "no unpacked kubernetes-* directory in $work"
  grep -q "^[^(]*(.*$kube_version" "$src/debian/changelog" 2>/dev/null \
    || log "warning: source is not Kubernetes $kube_version: $(head -n1 "$src/debian/changelog")"

  log "replacing the vendored reflect2 with Debian's Go 1.18+ compatible one"
  rm -rf "$src/vendor/github.com/modern-go/reflect2"
  cp -r "$reflect2_src" "$src/vendor/github.com/modern-go/reflect2"

  local gopath="$work/gopath"
  mkdir -p "$gopath/src/k8s.io"
  ln -s "$src" "$gopath/src/k8s.io/kubernetes"
  local pkg="$gopath/src/k8s.io/kubernetes"
  unset GOFLAGS
  export GOPATH="$gopath" GOCACHE="$work/gocache"
  # In GOPATH mode the vendored packages are linked under k8s.io/kubernetes/vendor/.
  local version_pkg=k8s.io/kubernetes/vendor/k8s.io/component-base/version
  local minor=${kube_version#1.}
  minor=${minor%%.*}
  local version_ldflags="-X $version_pkg.gitVersion=v$kube_version -X $version_pkg.gitMajor=1"
  version_ldflags+=" -X $version_pkg.gitMinor=$minor -X $version_pkg.gitTreeState=clean"
  version_ldflags+=" -X k8s.io/kubernetes/vendor/k8s.io/client-go/pkg/version.gitVersion=v$kube_version"

  log "[2/4] generating code (make generated_files)"
  (cd "$pkg" && make generated_files >"$work/generate.log" 2>&1) \
    || { tail -n 40 "$work/generate.log" >&2; die "make generated_files failed"; }

  log "[3/4] compiling cmd/kube-apiserver (a few minutes)"
  (cd "$pkg" && GO111MODULE=off go build -o "$work/kube-apiserver" \
    -ldflags "-s -w $version_ldflags" ./cmd/kube-apiserver >"$work/build.log" 2>&1) \
    || { tail -n 40 "$work/build.log" >&2; die "go build ./cmd/kube-apiserver failed"; }

  log "[4/4] installing into $cached_binary"
  mkdir -p "$cache_dir"
  install -m 0755 "$work/kube-apiserver" "$cached_binary.tmp"
  mv -f "$cached_binary.tmp" "$cached_binary"
  log "built in $(($(date +%s) - start)) s"
  rm -rf "$work"
  trap - EXIT
}

# Runs build under a lock so that concurrent callers build once and share the result.
locked_build() {
  local force=$1
  mkdir -p "$cache_dir"
  exec 9>"$cache_dir/kube-apiserver.lock"
  if ! flock -n 9; then
    log "waiting for another build to finish"
    flock 9
  fi
  if [ "$force" = no ] && is_runnable "$cached_binary"; then
    return 0
  fi
  build
}

cmd=${1:-help}
case "$cmd" in
  path)
    if ! find_existing; then
      log "no kube-apiserver found; building v$kube_version from Debian's source package"
      locked_build no
      echo "$cached_binary"
    fi
    ;;
  build)
    locked_build yes
    echo "$cached_binary"
    ;;
  help | -h | --help) usage ;;
  *)
    usage >&2
    exit 2
    ;;
esac
