#!/bin/sh
# Removes from an extracted rootfs what no container needs at run time: package manager state,
# documentation (copyright files stay), locales, iconv modules and the build machine's settings.
set -eu
root=${1:?rootfs directory}
[ -d "$root/usr" ] || { echo "prune-rootfs: $root is not a rootfs" >&2; exit 1; }

rm -rf "$root/etc/apt" "$root/etc/dpkg" "$root/etc/debconf.conf" "$root/etc/fstab" \
  "$root/etc/hostname" "$root/etc/resolv.conf" "$root/etc/ca-certificates" \
  "$root/var/lib/apt" "$root/var/lib/dpkg" "$root/var/cache" "$root/var/log" \
  "$root/usr/lib/x86_64-linux-gnu/gconv" "$root/usr/share/locale" "$root/usr/share/man" \
  "$root/usr/share/info" "$root/usr/share/lintian" "$root/usr/share/bash-completion" \
  "$root/usr/share/debconf" "$root/usr/share/perl5" "$root/usr/share/pixmaps" \
  "$root/usr/share/gdb" "$root/usr/share/gcc"
# The runtime mounts /dev; device nodes in a layer are of no use.
[ ! -d "$root/dev" ] || find "$root/dev" -mindepth 1 -delete
if [ -d "$root/usr/share/doc" ]; then
  find "$root/usr/share/doc" -mindepth 1 ! -type d ! -name copyright -delete
  find "$root/usr/share/doc" -mindepth 1 -type d -empty -delete
fi

# Users and groups of a distroless image: root, nonroot (65532) and nobody.
cat >"$root/etc/passwd" <<'PASSWD'
root:x:0:0:root:/root:/sbin/nologin
nonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin
nobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin
PASSWD
cat >"$root/etc/group" <<'GROUP'
root:x:0:
nonroot:x:65532:
nobody:x:65534:
GROUP
printf 'passwd: files\ngroup: files\nhosts: files dns\n' >"$root/etc/nsswitch.conf"
mkdir -p "$root/root" "$root/home/nonroot" "$root/tmp" "$root/var/tmp"
chmod 700 "$root/root"
chown 65532:65532 "$root/home/nonroot"
chmod 1777 "$root/tmp" "$root/var/tmp"
