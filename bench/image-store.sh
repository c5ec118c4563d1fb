#!/bin/sh
# Image store speed beside GNU tar, in the same run on the same machine:
#  1. import (verify + extract) of a Debian minbase rootfs (~200 MB, ~6,800 files, made here by debootstrap) as one
#     gzip layer of an OCI layout made by umoci, beside `tar -xzf` of that very layer blob. Runs alternate
#     (tar, import, tar, import, ...) so both see the same machine; medians and the median of per-pair ratios.
#  2. preparing another pod's rootfs from the cached image (layers looked up, upper/work made, overlay mounted),
#     for the minbase image and for the 2 MB busybox image, to show it does not grow with the image.
# Usage (root): bench/image-store.sh [RUNS]   -> prints the figures and writes bench/out/image-store.json
set -eu
cd "$(dirname "$0")/.."
runs=${1:-7}
./deploy/install-deps.sh >/dev/null
for tool in debootstrap umoci jq bc; do
    command -v "$tool" >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$tool" >/dev/null
done
dotnet build bench/ImageStore -c Release --nologo -v quiet >/dev/null
bench="dotnet bench/ImageStore/bin/Release/net10.0/image-store-bench.dll"

. bench/minbase-rootfs.sh
work=$(mktemp -d /var/tmp/fleetpods-bench-XXXXXX)
trap 'rm -rf "$work"' EXIT
umoci init --layout "$work/minbase"
umoci new --image "$work/minbase:bookworm"
umoci unpack --image "$work/minbase:bookworm" "$work/bundle" >/dev/null
cp -a "$cache/rootfs/." "$work/bundle/rootfs/"
umoci repack --image "$work/minbase:bookworm" "$work/bundle"
rm -rf "$work/bundle"
layer=$(ls -S "$work/minbase/blobs/sha256/" | head -1)
layer="$work/minbase/blobs/sha256/$layer"
files=$(tar -tzf "$layer" | wc -l)
echo "minbase layer: $(du -h "$layer" | cut -f1) gzip, $(du -sh "$cache/rootfs" | cut -f1) and $files entries expanded"

ms() { echo "$(( ($2 - $1) / 1000000 ))"; }
tars=""; imports=""; ratios=""
mkdir -p "$work/scratch"
for i in $(seq 1 "$runs"); do
    rm -rf "$work/tar"; mkdir "$work/tar"; sync
    start=$(date +%s%N); tar -xzf "$layer" -C "$work/tar"; end=$(date +%s%N)
    t=$(ms "$start" "$end")
    rm -rf "$work/tar"; sync
    m=$($bench import "$work/minbase" "$work/scratch" 1 | jq -r '.median_ms | floor')
    tars="$tars $t"; imports="$imports $m"
    ratios="$ratios $(echo "scale=3; $m / $t" | bc)"
    echo "run $i: tar -xzf ${t} ms, fleetpods import ${m} ms"
done
median() { echo "$@" | tr ' ' '\n' | grep -v '^$' | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
tar_median=$(median $tars); import_median=$(median $imports); ratio_median=$(median $ratios)

./deploy/examples/make-busybox-oci.sh "$work/busybox" >/dev/null
render_minbase=$($bench render "$work/minbase" "$work/scratch" 50 | jq -r .median_ms)
render_busybox=$($bench render "$work/busybox/busybox-oci" "$work/scratch" 50 | jq -r .median_ms)

mkdir -p bench/out
jq -n --arg date "$(date -u +%FT%TZ)" --argjson runs "$runs" --argjson tar "$tar_median" --argjson imported "$import_median" \
    --argjson ratio "$ratio_median" --argjson rm "$render_minbase" --argjson rb "$render_busybox" \
    '{date: $date, runs: $runs, tar_xzf_median_ms: $tar, import_median_ms: $imported, import_over_tar_median_ratio: $ratio,
      second_pod_rootfs_median_ms: {minbase: $rm, busybox: $rb}}' | tee bench/out/image-store.json
