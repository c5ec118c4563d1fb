#!/bin/sh
# Wall time of `fleetpods run IMAGE -- /bin/true` (warm: image imported, daemon up) beside `runc run`
# of the same busybox rootfs, in the same run on the same machine. Medians of 20 runs, by hyperfine.
# `fleetpods` is the native command, which runs the pod through the local daemon's API socket. More rows split the cost:
# `fleetpods run --net none` (runc's default spec also gives the container a network namespace with loopback only),
# `fleetpods list-machines` (one API call, no pod) and
# `fleetpods-shim` alone (our stage1 launcher on an overlay of the same rootfs, no daemon, --net none as runc).
# Usage (root): bench/start-latency.sh   -> prints a table and writes bench/out/start-latency.{json,md}
set -eu
cd "$(dirname "$0")/.."
for tool in runc hyperfine jq; do
    command -v "$tool" >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$tool" >/dev/null
done
bench_node=bench bench_ports=0
. bench/bench-daemon.sh

# The runc bundle gets the very rootfs the ACI carries.
mkdir -p "$work/bundle"
tar -xzf "$work/busybox.aci" -C "$work/bundle"
(cd "$work/bundle" && runc spec && jq '.process.terminal = false | .process.args = ["/bin/true"] | .root.readonly = false' config.json >config.new && mv config.new config.json)

shim=src/NodeRuntime/bin/Release/net10.0/fleetpods-shim
rootfs="$work/bundle/rootfs"
hyperfine --warmup 3 --runs 20 --export-json "$out/start-latency.json" --export-markdown "$out/start-latency.md" \
    -n "fleetpods run" "$cli run example.com/busybox -- /bin/true" \
    -n "runc run" "runc run --bundle $work/bundle bench-\$(date +%s%N)" \
    -n "fleetpods list-machines" "$cli list-machines" \
    -n "fleetpods-shim alone" "d=\$(mktemp -d -p $work) && mkdir \$d/upper \$d/work && $shim --pod-dir \$d --hostname bench --net none --lower $rootfs --upper \$d/upper --work \$d/work -- /bin/true" \
    -n "fleetpods run --net none" "$cli run --net none example.com/busybox -- /bin/true"

jq -r '.results[] | "\(.command): median \(.median * 1000 * 10 | floor / 10) ms"' "$out/start-latency.json"
jq -r '(.results[0].median / .results[1].median) as $r | "ratio fleetpods run / runc run: \($r * 100 | floor / 100)x"' "$out/start-latency.json"
jq -r '(.results[3].median / .results[1].median) as $r | "ratio fleetpods-shim / runc run: \($r * 100 | floor / 100)x"' "$out/start-latency.json"
jq -r '(.results[4].median / .results[1].median) as $r | "ratio fleetpods run --net none / runc run: \($r * 100 | floor / 100)x"' "$out/start-latency.json"
