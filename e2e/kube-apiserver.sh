#!/usr/bin/env bash
# Prints the path of a kube-apiserver binary; e2e/kube-binaries.sh does the work.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)

case "${1:-help}" in
  path | build) exec "$here/kube-binaries.sh" "$1" kube-apiserver ;;
  help | -h | --help)
    cat <<EOF
Usage: $(basename "$0") path | build | help

Same as '$here/kube-binaries.sh path|build kube-apiserver': honours \$KUBE_APISERVER,
\$KUBEBUILDER_ASSETS and PATH, else builds (once) all Kubernetes binaries into the cache.
EOF
    ;;
  *)
    "$here/kube-binaries.sh" help >&2
    exit 2
    ;;
esac
