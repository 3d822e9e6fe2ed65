#!/usr/bin/env bash
# Builds Castellan's container images with Debian's own tools (mmdebstrap, buildah) and pushes
# them to the local registry of e2e/registry.sh.
set -euo pipefail
shopt -s inherit_errexit

root=$(cd "$(dirname "$0")/.." && pwd)
readonly root
readonly all_names=(base pause workload manager sensor)
readonly suite=bookworm
readonly cache_root="${XDG_CACHE_HOME:-$HOME/.cache}/castellan"
readonly image_cache="${CASTELLAN_IMAGE_CACHE:-$cache_root/images}"
readonly bin_dir="${CASTELLAN_BIN_DIR:-$root/build/bin}"
readonly runroot="$image_cache/run"
readonly inputs_label=io.castellan.image.inputs
# Extract only: no maintainer scripts run, so a rootfs needs no shell or dpkg.
readonly mmdebstrap_flags=(--variant=extract --mode=root --format=directory --skip=output/dev)
# Sorted names, numeric owners, one mtime, no PAX times: the tarball depends only on the files.
readonly tar_flags=(--format=gnu --sort=name --numeric-owner --mtime=@0)
registry=$("$root/e2e/registry.sh" addr)
readonly registry

usage() {
  cat <<EOF
Usage: $(basename "$0") [build | push | sizes | help] [NAME...]

  build   Build the images into a private buildah store (default command).
  push    Build what is missing or stale, start the registry if it is down
          (e2e/registry.sh up), push, and print each pushed image as name@sha256:...
  sizes   Print the compressed (registry blobs) and uncompressed (layer tars) size of
          each pushed image.
  help    Show this help.

NAMEs (default: all, in this order):
  base      $(ref_of base)
            Debian $suite runtime libraries, CA bundle, passwd; no shell
            (mmdebstrap --variant=extract of images/base/packages)
  pause     $(ref_of pause)
            static pause binary from e2e/kube-binaries.sh path pause (or \$KUBE_PAUSE)
  workload  $(ref_of workload)
            busybox (sh, coreutils applets, nc, httpd on :8080 by default) and curl
  manager   $(ref_of manager)
            Dockerfile.manager: base + \$CASTELLAN_BIN_DIR/castellan-manager, uid 65532
  sensor    $(ref_of sensor)
            Dockerfile.sensor: base + \$CASTELLAN_BIN_DIR/castellan-sensor

Binaries come from CASTELLAN_BIN_DIR (default build/bin), stripped of debug information
on the way into the image. Package sources are the machine's own Debian sources (apt's
sources, suites $suite*), or CASTELLAN_DEBIAN_MIRROR=URI for $suite only.
Cache: $image_cache (CASTELLAN_IMAGE_CACHE): rootfs tarballs, buildah store;
remove rootfs/ there to fetch packages again. Registry: CASTELLAN_REGISTRY (e2e/registry.sh).
Needs root. Progress on stderr.
Exit codes: 0 success, 1 failure, 2 usage error.
EOF
}

log() { echo "images: $*" >&2; }
die() { log "error: $*"; exit 1; }

ref_of() {
  case "$1" in
    base) echo "$registry/castellan/base:local" ;;
    pause) echo "$registry/castellan/pause:3.4.1" ;;
    workload) echo "$registry/castellan/workload:local" ;;
    manager) echo "$registry/castellan/castellan-manager:local" ;;
    sensor) echo "$registry/castellan/castellan-sensor:local" ;;
  esac
}

is_name() {
  local n
  for n in "${all_names[@]}"; do [ "$n" = "$1" ] && return 0; done
  return 1
}

bh() { buildah --root "$image_cache/storage" --runroot "$runroot" --storage-driver vfs "$@"; }

need() {
  local tool=$1 package=$2
  command -v "$tool" >/dev/null 2>&1 || die "$tool not found (apt-get install $package, or scripts/install-deps.sh)"
}

# The deb lines of the machine's apt sources for the $suite suites, one per line.
debian_sources() {
  if [ -n "${CASTELLAN_DEBIAN_MIRROR:-}" ]; then
    echo "deb $CASTELLAN_DEBIAN_MIRROR $suite main"
    return 0
  fi
  {
    local f
    for f in /etc/apt/sources.list.d/*.sources; do
      [ -f "$f" ] || continue
      awk -v suite="$suite" '
        function flush(   i, j, n, m, u, s) {
          if (types ~ /(^| )deb( |$)/) {
            n = split(uris, u, " "); m = split(suites, s, " ")
            for (i = 1; i <= n; i++) for (j = 1; j <= m; j++)
              if (s[j] ~ "^" suite) print "deb " u[i] " " s[j] " " comps
          }
          types = uris = suites = comps = ""
        }
        /^[ \t]*$/ { flush(); next }
        /^#/ { next }
        /^Types:/ { sub(/^Types:[ \t]*/, ""); types = $0 }
        /^URIs:/ { sub(/^URIs:[ \t]*/, ""); uris = $0 }
        /^Suites:/ { sub(/^Suites:[ \t]*/, ""); suites = $0 }
        /^Components:/ { sub(/^Components:[ \t]*/, ""); comps = $0 }
        END { flush() }' "$f"
    done
    for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
      [ -f "$f" ] || continue
      awk -v suite="$suite" '$1 == "deb" && $2 !~ /^\[/ && $3 ~ "^" suite' "$f"
    done
  } | awk '!seen[$0]++'
}

# Makes (once per recipe) the rootfs tarball of base or workload with mmdebstrap; prints its path.
rootfs_tarball() {
  local name=$1 dir="$root/images/$1"
  local sources key tarball
  sources=$(debian_sources)
  [ -n "$sources" ] || die "no deb entry for $suite in apt's sources; set CASTELLAN_DEBIAN_MIRROR"
  key=$( {
    cat "$dir/packages" "$dir/customize.sh" "$root/images/prune-rootfs.sh"
    echo "$sources ${mmdebstrap_flags[*]} ${tar_flags[*]}"
  } | sha256sum | cut -c1-16)
  tarball="$image_cache/rootfs/$name-$key.tar"
  if [ -f "$tarball" ]; then
    echo "$tarball"
    return 0
  fi
  need mmdebstrap mmdebstrap
  local packages
  packages=$(grep -v '^[[:space:]]*#' "$dir/packages" | xargs | tr ' ' ,)
  [ -n "$packages" ] || die "no packages in $dir/packages"
  local work="$image_cache/rootfs/$name.tmp" logfile="$image_cache/rootfs/$name.log"
  rm -rf "$work"
  mkdir -p "$image_cache/rootfs"
  log "$name: mmdebstrap $suite ($packages) from: $(echo "$sources" | awk '{print $2 " " $3}' | xargs)"
  local -a mirrors=()
  mapfile -t mirrors <<<"$sources"
  mmdebstrap "${mmdebstrap_flags[@]}" --include="$packages" "$suite" "$work" "${mirrors[@]}" >"$logfile" 2>&1 \
    || { tail -n 30 "$logfile" >&2; rm -rf "$work"; die "mmdebstrap of $name failed (log: $logfile)"; }
  "$dir/customize.sh" "$work" >>"$logfile" 2>&1 \
    || { tail -n 30 "$logfile" >&2; rm -rf "$work"; die "$dir/customize.sh failed (log: $logfile)"; }
  tar "${tar_flags[@]}" -C "$work" -cf "$tarball.tmp" . \
    || { rm -rf "$work" "$tarball.tmp"; die "tar of the $name rootfs failed"; }
  rm -rf "$work"
  mv -f "$tarball.tmp" "$tarball"
  find "$image_cache/rootfs" -name "$name-*.tar" ! -path "$tarball" -delete
  echo "$tarball"
}

# Prints the path of the static pause binary.
pause_binary() {
  local bin
  if [ -n "${KUBE_PAUSE:-}" ]; then
    bin=$KUBE_PAUSE
  else
    [ -x "$root/e2e/kube-binaries.sh" ] || die "no pause binary: e2e/kube-binaries.sh is missing; set KUBE_PAUSE=path"
    bin=$("$root/e2e/kube-binaries.sh" path pause) || die "e2e/kube-binaries.sh path pause failed"
  fi
  if ! [ -f "$bin" ] || ! [ -x "$bin" ]; then
    die "pause binary $bin is not an executable file"
  fi
  need readelf binutils
  if readelf -l "$bin" 2>/dev/null | grep -q 'program interpreter'; then
    die "pause binary $bin is dynamically linked; the pause image has no libraries"
  fi
  echo "$bin"
}

binary() {
  local path="$bin_dir/castellan-$1"
  if ! [ -f "$path" ] || ! [ -x "$path" ]; then
    die "$path not found: build it first (cmake --build build --target castellan-$1) or set CASTELLAN_BIN_DIR"
  fi
  echo "$path"
}

image_label() {
  bh inspect --type image --format "{{index .OCIv1.Config.Labels \"$inputs_label\"}}" "$1" 2>/dev/null || true
}

image_id() { bh inspect --type image --format '{{.FromImageID}}' "$1" 2>/dev/null || true; }

# Builds image NAME from DOCKERFILE in the staged CONTEXT unless an image with the same inputs
# is in the store already. Inputs: the Dockerfile, the context's files and any extra KEY text.
build_image() {
  local name=$1 dockerfile=$2 context=$3 extra=$4
  local ref key
  ref=$(ref_of "$name")
  key=$( { cat "$dockerfile"; (cd "$context" && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum); echo "$extra"; } | sha256sum | cut -c1-16)
  if [ "$(image_label "$ref")" = "$key" ]; then
    log "$name: up to date ($ref)"
    return 0
  fi
  log "$name: building $ref"
  local -a args=(bud --isolation chroot --pull=never --timestamp 0 --identity-label=false
    --format oci --label "$inputs_label=$key" -f "$dockerfile" -t "$ref")
  if [ "$name" = manager ] || [ "$name" = sensor ]; then
    args+=(--build-arg "BASE=$(ref_of base)")
  fi
  bh "${args[@]}" "$context" >"$image_cache/build-$name.log" 2>&1 \
    || { tail -n 30 "$image_cache/build-$name.log" >&2; die "buildah bud of $name failed (log: $image_cache/build-$name.log)"; }
  # Earlier builds of the same tag are now unnamed; their layers are not needed.
  bh rmi --prune >/dev/null 2>&1 || true
}

# Stages a clean build context for NAME (only the files its Dockerfile copies); prints it.
stage() {
  local name=$1 context="$image_cache/context/$1"
  rm -rf "$context"
  mkdir -p "$context"
  case "$name" in
    base | workload)
      local tarball
      tarball=$(rootfs_tarball "$name")
      ln -f "$tarball" "$context/rootfs.tar" 2>/dev/null || cp "$tarball" "$context/rootfs.tar"
      ;;
    pause)
      local pause
      pause=$(pause_binary)
      cp "$pause" "$context/pause"
      ;;
    manager | sensor)
      local bin
      bin=$(binary "$name")
      mkdir -p "$context/build/bin"
      need strip binutils
      strip --strip-debug -o "$context/build/bin/castellan-$name" "$bin" \
        || die "strip of $bin failed"
      ;;
  esac
  echo "$context"
}

dockerfile_of() {
  case "$1" in
    manager) echo "$root/Dockerfile.manager" ;;
    sensor) echo "$root/Dockerfile.sensor" ;;
    *) echo "$root/images/$1/Dockerfile" ;;
  esac
}

declare -A built=()

ensure_built() {
  local name=$1 context extra=""
  [ -z "${built[$name]:-}" ] || return 0
  context=$(stage "$name")
  if [ "$name" = manager ] || [ "$name" = sensor ]; then
    ensure_built base
    extra=$(image_id "$(ref_of base)")
    [ -n "$extra" ] || die "base image $(ref_of base) is not in the store"
  fi
  build_image "$name" "$(dockerfile_of "$name")" "$context" "$extra"
  built[$name]=1
}

readonly manifest_types="application/vnd.oci.image.manifest.v1+json,application/vnd.oci.image.index.v1+json,application/vnd.docker.distribution.manifest.v2+json,application/vnd.docker.distribution.manifest.list.v2+json"

# Prints the digest the registry serves for REF (HEAD on the manifest), or nothing.
served_digest() {
  local ref=$1 repo tag
  repo=${ref#"$registry"/}
  tag=${repo##*:}
  repo=${repo%:*}
  curl -sfI --max-time 10 -H "Accept: $manifest_types" "http://$registry/v2/$repo/manifests/$tag" 2>/dev/null \
    | awk 'tolower($1) == "docker-content-digest:" {print $2}' | tr -d '\r'
}

push_image() {
  local name=$1 ref digest served
  ref=$(ref_of "$name")
  local digestfile="$image_cache/push-$name.digest"
  rm -f "$digestfile"
  log "$name: pushing $ref"
  bh push --tls-verify=false --digestfile "$digestfile" "$ref" "docker://$ref" >"$image_cache/push-$name.log" 2>&1 \
    || { tail -n 20 "$image_cache/push-$name.log" >&2; die "push of $ref failed (log: $image_cache/push-$name.log)"; }
  digest=$(cat "$digestfile")
  served=$(served_digest "$ref")
  [ "$served" = "$digest" ] || die "registry serves ${served:-nothing} for $ref, pushed $digest"
  echo "${ref%:*}@$digest"
}

# Prints compressed and uncompressed sizes of a pushed image, from the registry's blobs.
print_size() {
  local name=$1 ref repo tag
  ref=$(ref_of "$name")
  repo=${ref#"$registry"/}
  tag=${repo##*:}
  repo=${repo%:*}
  local manifest
  manifest=$(curl -sf --max-time 10 -H "Accept: $manifest_types" "http://$registry/v2/$repo/manifests/$tag") \
    || { log "$name: $ref is not in the registry (scripts/images.sh push $name)"; return 1; }
  local compressed=0 uncompressed=0 layers=0 size digest media
  while read -r size digest media; do
    compressed=$((compressed + size))
    [ "$media" = layer ] || continue
    layers=$((layers + 1))
    uncompressed=$((uncompressed + $(curl -sfL --max-time 60 "http://$registry/v2/$repo/blobs/$digest" | gzip -dc | wc -c)))
  done < <(python3 -c '
import json, sys
m = json.load(sys.stdin)
if "layers" not in m:
    sys.exit("not a single-platform image manifest")
print(m["config"]["size"], m["config"]["digest"], "config")
for l in m["layers"]:
    print(l["size"], l["digest"], "layer")' <<<"$manifest")
  awk -v ref="$ref" -v layers="$layers" -v c="$compressed" -v u="$uncompressed" \
    'BEGIN { printf "%-48s %6d %10d %6.2f MiB %10d %6.2f MiB\n", ref, layers, c, c / 1048576, u, u / 1048576 }'
}

cmd_sizes() {
  need curl curl
  need python3 python3
  registry_up || die "registry $registry is down (e2e/registry.sh up)"
  printf '%-48s %6s %23s %23s\n' IMAGE LAYERS "COMPRESSED (bytes)" "UNCOMPRESSED (bytes)"
  local name rc=0
  for name in "$@"; do print_size "$name" || rc=1; done
  return $rc
}

registry_up() { "$root/e2e/registry.sh" status >/dev/null 2>&1; }

lock() {
  mkdir -p "$image_cache"
  exec 9>"$image_cache/lock"
  if ! flock -n 9; then
    log "waiting for another images.sh to finish"
    flock 9
  fi
}

cmd=build
if [ $# -gt 0 ]; then
  case "$1" in
    build | push | sizes) cmd=$1; shift ;;
    help | -h | --help) usage; exit 0 ;;
    -*) usage >&2; exit 2 ;;
  esac
fi
names=("$@")
[ ${#names[@]} -gt 0 ] || names=("${all_names[@]}")
for n in "${names[@]}"; do
  is_name "$n" || { log "unknown image '$n' (one of: ${all_names[*]})"; usage >&2; exit 2; }
done

if [ "$cmd" = sizes ]; then
  cmd_sizes "${names[@]}"
  exit $?
fi

[ "$(id -u)" -eq 0 ] || die "must run as root (mmdebstrap and buildah write files owned by other users)"
need buildah buildah
need curl curl
lock
mkdir -p "$runroot"
start=$(date +%s%N)
if [ "$cmd" = push ]; then
  registry_up || "$root/e2e/registry.sh" up 9>&- || die "could not start the registry"
fi
for n in "${names[@]}"; do
  ensure_built "$n"
  if [ "$cmd" = push ]; then
    push_image "$n"
  else
    ref_of "$n"
  fi
done
elapsed=$((($(date +%s%N) - start) / 100000000))
log "done in $((elapsed / 10)).$((elapsed % 10)) s"
