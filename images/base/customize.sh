#!/bin/sh
# mmdebstrap customize hook for the base image: the CA bundle, then only runtime files remain.
set -eu
root=${1:?rootfs directory}
here=$(dirname "$0")

# The bundle update-ca-certificates would write; maintainer scripts do not run in extract mode.
mkdir -p "$root/etc/ssl/certs"
find "$root/usr/share/ca-certificates" -name '*.crt' | LC_ALL=C sort | while read -r crt; do
  cat "$crt"
done >"$root/etc/ssl/certs/ca-certificates.crt"
[ -s "$root/etc/ssl/certs/ca-certificates.crt" ] || { echo "customize: no CA certificates" >&2; exit 1; }

# No shell or tools: openssl, c_rehash and debconf come only as dependencies of ca-certificates.
rm -rf "${root:?}/usr/bin" "$root/usr/sbin" "$root/usr/share/ca-certificates" \
  "$root/usr/lib/x86_64-linux-gnu/perl-base" "$root/usr/lib/x86_64-linux-gnu/perl"
"$here/../prune-rootfs.sh" "$root"
