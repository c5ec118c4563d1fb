#!/bin/sh
# A registry pull beside the tools it replaces, in the same run on the same machine: a Debian minbase rootfs
# (made here by debootstrap, one gzip layer of an OCI image made by umoci; IMAGE=busybox uses the 2-layer busybox
# image instead) is pushed by skopeo into Debian's docker-registry on loopback, then
#   fleetpods image fetch docker://127.0.0.1:PORT/minbase:bookworm --insecure   (download, verify, extract)
# is timed beside
#   skopeo copy docker://127.0.0.1:PORT/minbase:bookworm oci:DIR:bookworm && umoci unpack --image DIR:bookworm B
# Each run starts empty: the image is removed from the node's store (and its layers with it) before each fetch, the
# layout and bundle before each copy. hyperfine alternates nothing, so the pair runs in one hyperfine call.
# Usage (root): bench/registry-pull.sh [RUNS]   -> prints the figures and writes bench/out/registry-pull.{json,md}
set -eu
cd "$(dirname "$0")/.."
runs=${1:-10}
bench_node=bench-registry bench_ports=7
. bench/bench-daemon.sh
for tool in debootstrap umoci skopeo hyperfine docker-registry; do
    command -v "$tool" >/dev/null || { echo "registry-pull.sh: $tool missing (apt-get install ${tool})" >&2; exit 1; }
done

if [ "${IMAGE:-minbase}" = busybox ]; then
    ./deploy/examples/make-busybox-oci.sh "$work/busybox" >/dev/null
    layout="$work/busybox/busybox-oci"; tag=1.36; repo=busybox
else
    . bench/minbase-rootfs.sh
    layout="$work/minbase"; tag=bookworm; repo=minbase
    umoci init --layout "$layout"
    umoci new --image "$layout:$tag"
    umoci unpack --image "$layout:$tag" "$work/bundle" >/dev/null
    cp -a "$cache/rootfs/." "$work/bundle/rootfs/"
    umoci repack --image "$layout:$tag" "$work/bundle"
    rm -rf "$work/bundle"
fi

port=$((25000 + $$ % 1000))
mkdir -p "$work/registry"
cat >"$work/registry/config.yml" <<YAML
version: 0.1
log:
  level: warn
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $work/registry/storage
http:
  addr: 127.0.0.1:$port
YAML
docker-registry serve "$work/registry/config.yml" >"$work/registry/log" 2>&1 &
registry_pid=$!
trap 'kill "$registry_pid" 2>/dev/null || true; cleanup' EXIT
for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$port/v2/" >/dev/null && break; sleep 0.1; done
skopeo copy --quiet --dest-tls-verify=false "oci:$layout:$tag" "docker://127.0.0.1:$port/$repo:$tag"
size=$(du -sh "$layout/blobs" | cut -f1)
echo "image: $repo:$tag, $size of blobs in the registry at 127.0.0.1:$port"

reference="docker://127.0.0.1:$port/$repo:$tag"
mkdir -p "$out"
hyperfine --runs "$runs" --warmup 1 --export-json "$out/registry-pull.json" --export-markdown "$out/registry-pull.md" \
    --prepare "$cli image rm 127.0.0.1:$port/$repo:$tag >/dev/null 2>&1 || true; sync" \
    -n "fleetpods image fetch" "$cli image fetch $reference --insecure" \
    --prepare "rm -rf $work/copy $work/unpacked; sync" \
    -n "skopeo copy + umoci unpack" "skopeo copy --quiet --src-tls-verify=false $reference oci:$work/copy:$tag && umoci unpack --image $work/copy:$tag $work/unpacked >/dev/null"
fetch=$(jq '.results[0].median * 1000 | floor' "$out/registry-pull.json")
pair=$(jq '.results[1].median * 1000 | floor' "$out/registry-pull.json")
echo "median: fleetpods image fetch ${fetch} ms, skopeo copy + umoci unpack ${pair} ms, ratio $(echo "scale=2; $fetch / $pair" | bc)"
