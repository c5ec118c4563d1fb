#!/bin/sh
# Builds a real AppC image (ACI) from Debian's busybox-static: usage: make-busybox-aci.sh OUT.aci [NAME]
# The image's own exec prints a greeting, so `fleetpods run NAME` with no command has something to run.
set -eu
out=$1
name=${2:-example.com/busybox}
busybox=/bin/busybox
[ -x "$busybox" ] || { echo "make-busybox-aci.sh: $busybox missing; apt-get install busybox-static" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/rootfs/bin" "$work/rootfs/etc" "$work/rootfs/tmp" "$work/rootfs/root"
chmod 1777 "$work/rootfs/tmp"
cp "$busybox" "$work/rootfs/bin/busybox"
for applet in $("$busybox" --list); do
    [ "$applet" = busybox ] || ln -s busybox "$work/rootfs/bin/$applet"
done
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"$work/rootfs/etc/passwd"
# nobody is also a member of users, so a pod run as nobody has a supplementary group to show.
printf 'root:x:0:\nusers:x:100:nobody\nnogroup:x:65534:\n' >"$work/rootfs/etc/group"
cat >"$work/manifest" <<JSON
{
  "acKind": "ImageManifest",
  "acVersion": "0.8.11",
  "name": "$name",
  "labels": [
    {"name": "version", "value": "1.36"},
    {"name": "os", "value": "linux"},
    {"name": "arch", "value": "amd64"}
  ],
  "app": {
    "exec": ["/bin/sh", "-c", "echo hello from busybox"],
    "user": "0",
    "group": "0",
    "environment": [{"name": "IMAGE_GREETING", "value": "hello"}]
  }
}
JSON
tar --numeric-owner --owner=0 --group=0 -czf "$out" -C "$work" manifest rootfs
