#!/bin/sh
# mmdebstrap customize hook for the test workload: busybox applets as links in /bin, a page to serve.
set -eu
root=${1:?rootfs directory}
here=$(dirname "$0")

for applet in $("$root/bin/busybox" --list); do
  case "$applet" in busybox | '[[') continue ;; esac
  for dir in bin sbin usr/bin usr/sbin; do
    [ -e "$root/$dir/$applet" ] && continue 2
  done
  ln -s busybox "$root/bin/$applet"
done
mkdir -p "$root/var/www"
echo "castellan workload" >"$root/var/www/index.html"
"$here/../prune-rootfs.sh" "$root"
sed -i 's|^root:\(.*\):/sbin/nologin$|root:\1:/bin/sh|' "$root/etc/passwd"
