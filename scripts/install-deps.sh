#!/usr/bin/env bash
# Installs every build and test dependency from Debian's packages.
# Does nothing when they are all present already.
set -euo pipefail

packages=(
  build-essential cmake pkg-config git
  libboost1.81-all-dev libssl-dev nlohmann-json3-dev libsimdjson-dev libyaml-cpp-dev
  libbpf-dev bpftool clang llvm libelf-dev zlib1g-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  etcd-server golang-go rsync openssl curl dpkg-dev golang-github-modern-go-reflect2-dev
  python3 lua5.1
  containerd runc containernetworking-plugins iptables ipset conntrack iproute2 procps docker-registry
  buildah mmdebstrap skopeo binutils
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

# kubectl: use whichever is present; Debian's conflicts with other distributions of it.
if ! command -v kubectl >/dev/null 2>&1; then
  missing+=(kubernetes-client)
fi

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all dependencies present"
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
  echo "install-deps: must run as root to install packages" >&2
  exit 2
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"
