#!/usr/bin/env bash
# Finds the Kubernetes binaries for the e2e tests and the node harness, building them once if
# none are available.
set -euo pipefail

readonly kube_version=1.20.2
readonly cache_root="${XDG_CACHE_HOME:-$HOME/.cache}/castellan"
readonly cache_dir="$cache_root/kubernetes-v$kube_version"
readonly bin_dir="$cache_dir/bin"
readonly commands=(kube-apiserver kube-controller-manager kube-scheduler kubelet kube-proxy)
readonly names=("${commands[@]}" pause)
# Kubernetes 1.20 vendors reflect2 1.0.1, which crashes under Go >= 1.18 (Debian ships 1.19).
readonly reflect2_src=/usr/share/gocode/src/github.com/modern-go/reflect2

usage() {
  cat <<EOF
Usage: $(basename "$0") path NAME | build [NAME] | help

  path NAME  Print the path of binary NAME, building the cache if needed. NAME is one of:
               ${names[*]}
             Looked up in order: the variable named in the table below,
             \$KUBEBUILDER_ASSETS/NAME, NAME on PATH (not for pause), the cache
             $bin_dir/NAME;
             otherwise all six are built at once from Debian's 'kubernetes' source
             package into that cache (needs root for apt-get the first time; about
             10 minutes on 2 cores; progress on stderr).
  build      Build the cache even if binaries are found elsewhere; print the path of
             NAME, or of the cache's bin directory without NAME.
  help       Show this help.

  kube-apiserver $(var_of kube-apiserver)    kube-controller-manager $(var_of kube-controller-manager)
  kube-scheduler $(var_of kube-scheduler)    kubelet $(var_of kubelet)
  kube-proxy $(var_of kube-proxy)            pause $(var_of pause) (static, from build/pause/linux/pause.c)

Exit codes: 0 success, 1 build or lookup failure, 2 usage error.
EOF
}

log() { echo "kube-binaries.sh: $*" >&2; }
die() { log "error: $*"; exit 1; }

is_runnable() { [ -f "$1" ] && [ -x "$1" ]; }

is_name() {
  local n
  for n in "${names[@]}"; do [ "$n" = "$1" ] && return 0; done
  return 1
}

# The variable that names a binary given by the user: kube-apiserver -> KUBE_APISERVER.
var_of() {
  case "$1" in
    pause) echo KUBE_PAUSE ;;
    *) echo "$1" | tr 'a-z-' 'A-Z_' ;;
  esac
}

cache_complete() {
  local n
  for n in "${names[@]}"; do is_runnable "$bin_dir/$n" || return 1; done
}

find_existing() {
  local name=$1 var given
  var=$(var_of "$name")
  given=${!var:-}
  if [ -n "$given" ]; then
    is_runnable "$given" || die "$var=$given is not an executable file"
    echo "$given"
    return 0
  fi
  if [ -n "${KUBEBUILDER_ASSETS:-}" ] && is_runnable "$KUBEBUILDER_ASSETS/$name"; then
    echo "$KUBEBUILDER_ASSETS/$name"
    return 0
  fi
  if [ "$name" != pause ] && command -v "$name" >/dev/null 2>&1; then
    command -v "$name"
    return 0
  fi
  if cache_complete; then
    echo "$bin_dir/$name"
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
  apt-get update -q -o DPkg::Lock::Timeout=300 >&2 || die "apt-get update failed"
  apt-cache showsrc kubernetes 2>/dev/null | grep -q '^Package: kubernetes' \
    || die "source package 'kubernetes' not found after adding deb-src"
}

ensure_tools() {
  local missing=()
  command -v go >/dev/null 2>&1 || missing+=(golang-go)
  command -v rsync >/dev/null 2>&1 || missing+=(rsync)
  command -v dpkg-source >/dev/null 2>&1 || missing+=(dpkg-dev)
  command -v make >/dev/null 2>&1 || missing+=(make)
  command -v gcc >/dev/null 2>&1 || missing+=(gcc)
  [ -f /usr/lib/x86_64-linux-gnu/libc.a ] || [ -n "$(find /usr/lib -name libc.a -print -quit 2>/dev/null)" ] \
    || missing+=(libc6-dev)
  [ -f "$reflect2_src/go_above_118.go" ] || missing+=(golang-github-modern-go-reflect2-dev)
  [ ${#missing[@]} -eq 0 ] && return 0
  [ "$(id -u)" -eq 0 ] || die "missing tools: ${missing[*]} (run scripts/install-deps.sh as root)"
  log "installing ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
    -o DPkg::Lock::Timeout=300 "${missing[@]}" >&2
}

# Compiles the pause container's only program, as build/pause/Makefile does.
build_pause() {
  local src=$1 out=$2 tag
  tag=$(sed -n 's/^TAG[[:space:]]*?*=[[:space:]]*//p' "$src/build/pause/Makefile" | head -n1)
  [ -n "$tag" ] || die "no TAG in $src/build/pause/Makefile"
  gcc -Os -Wall -Werror -static -DVERSION="v$tag-debian" -o "$out" "$src/build/pause/linux/pause.c" >&2 \
    || die "gcc of build/pause/linux/pause.c failed"
  strip "$out"
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

  log "[1/5] downloading the kubernetes source package into $work"
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
  mkdir -p "$gopath/src/k8s.io" "$work/bin"
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

  log "[2/5] compiling the pause binary (static)"
  build_pause "$src" "$work/bin/pause"

  log "[3/5] generating code (make generated_files)"
  (cd "$pkg" && make generated_files >"$work/generate.log" 2>&1) \
    || { tail -n 40 "$work/generate.log" >&2; die "make generated_files failed"; }

  local targets=() c
  for c in "${commands[@]}"; do targets+=("./cmd/$c"); done
  log "[4/5] compiling ${commands[*]} (about 10 minutes on 2 cores)"
  (cd "$pkg" && GO111MODULE=off go build -o "$work/bin/" \
    -ldflags "-s -w $version_ldflags" "${targets[@]}" >"$work/build.log" 2>&1) \
    || { tail -n 40 "$work/build.log" >&2; die "go build ${targets[*]} failed"; }

  log "[5/5] installing into $bin_dir"
  mkdir -p "$cache_dir"
  rm -rf "$bin_dir.tmp"
  mkdir -p "$bin_dir.tmp"
  for c in "${names[@]}"; do install -m 0755 "$work/bin/$c" "$bin_dir.tmp/$c"; done
  rm -rf "$bin_dir"
  mv "$bin_dir.tmp" "$bin_dir"
  log "built in $(($(date +%s) - start)) s"
  rm -rf "$work"
  trap - EXIT
}

# Runs build under a lock so that concurrent callers build once and share the result.
locked_build() {
  local force=$1
  mkdir -p "$cache_root"
  exec 9>"$cache_root/kubernetes-v$kube_version.lock"
  if ! flock -n 9; then
    log "waiting for another build to finish"
    flock 9
  fi
  if [ "$force" = no ] && cache_complete; then
    return 0
  fi
  build
}

name_arg() {
  [ -n "${1:-}" ] || { usage >&2; exit 2; }
  is_name "$1" || { log "unknown binary '$1' (one of: ${names[*]})"; exit 2; }
}

cmd=${1:-help}
case "$cmd" in
  path)
    name_arg "${2:-}"
    if ! find_existing "$2"; then
      log "no $2 found; building Kubernetes v$kube_version from Debian's source package"
      locked_build no
      echo "$bin_dir/$2"
    fi
    ;;
  build)
    [ -z "${2:-}" ] || name_arg "$2"
    locked_build yes
    if [ -n "${2:-}" ]; then echo "$bin_dir/$2"; else echo "$bin_dir"; fi
    ;;
  help | -h | --help) usage ;;
  *)
    usage >&2
    exit 2
    ;;
esac
