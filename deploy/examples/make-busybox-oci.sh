#!/bin/sh
# Builds real OCI and docker images of Debian's busybox-static with umoci and skopeo (Debian's packages):
#   make-busybox-oci.sh OUTDIR
# writes OUTDIR/busybox-oci (an OCI image layout, ref "1.36"), OUTDIR/busybox-oci.tar (a tar of it) and
# OUTDIR/busybox-docker.tar (a docker archive tagged busybox:1.36). The image has two layers: the second deletes
# /etc/motd (a whiteout) and replaces /srv/data wholesale (an opaque directory), so importers are tested on both.
set -eu
out=$1
for tool in umoci skopeo; do
    command -v "$tool" >/dev/null || { echo "make-busybox-oci.sh: $tool missing; apt-get install umoci skopeo" >&2; exit 1; }
done
[ -x /bin/busybox ] || { echo "make-busybox-oci.sh: /bin/busybox missing; apt-get install busybox-static" >&2; exit 1; }

mkdir -p "$out"
layout="$out/busybox-oci"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
rm -rf "$layout"
umoci init --layout "$layout"
umoci new --image "$layout:1.36"

umoci unpack --image "$layout:1.36" "$work/bundle"
rootfs="$work/bundle/rootfs"
mkdir -p "$rootfs/bin" "$rootfs/etc" "$rootfs/tmp" "$rootfs/root" "$rootfs/srv/data"
chmod 1777 "$rootfs/tmp"
cp /bin/busybox "$rootfs/bin/busybox"
for applet in $(/bin/busybox --list); do
    [ "$applet" = busybox ] || ln -s busybox "$rootfs/bin/$applet"
done
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"$rootfs/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' >"$rootfs/etc/group"
echo "first layer" >"$rootfs/etc/motd"
echo "old" >"$rootfs/srv/data/old"
umoci repack --image "$layout:1.36" "$work/bundle"
rm -rf "$work/bundle"

umoci unpack --image "$layout:1.36" "$work/bundle"
rm "$work/bundle/rootfs/etc/motd"
rm -rf "$work/bundle/rootfs/srv/data"
mkdir "$work/bundle/rootfs/srv/data"
echo "new" >"$work/bundle/rootfs/srv/data/new"
echo "second layer" >"$work/bundle/rootfs/etc/issue"
umoci repack --image "$layout:1.36" "$work/bundle"

umoci config --image "$layout:1.36" \
    --config.entrypoint /bin/sh --config.cmd -c --config.cmd 'echo hello from $GREETING in $(pwd)' \
    --config.env GREETING=oci --config.workingdir /srv
umoci gc --layout "$layout"

tar -C "$layout" -cf "$out/busybox-oci.tar" .
rm -f "$out/busybox-docker.tar"
skopeo copy --quiet "oci:$layout:1.36" "docker-archive:$out/busybox-docker.tar:busybox:1.36"
