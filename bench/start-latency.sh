#!/bin/sh
# Wall time of `fleetpods run IMAGE -- /bin/true` (warm: image imported, daemon up) beside `runc run`
# of the same busybox rootfs, in the same run on the same machine. Medians of 20 runs, by hyperfine.
# More rows split the cost: `fleetpods run --net none` (runc's default spec also gives the container a network
# namespace with loopback only), `fleetpods list-machines` (the CLI's start and one cluster round trip, no pod)
# and `fleetpods-shim` alone (our stage1 launcher on an overlay of the same rootfs, no daemon, --net none as runc).
# Usage (root): bench/start-latency.sh   -> prints a table and writes bench/out/start-latency.{json,md}
set -eu
cd "$(dirname "$0")/.."
./deploy/install-deps.sh >/dev/null
for tool in runc hyperfine jq; do
    command -v "$tool" >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$tool" >/dev/null
done
dotnet build FleetPods.sln -c Release --nologo -v quiet >/dev/null

work=$(mktemp -d /tmp/fleetpods-bench-XXXXXX)
out=bench/out
mkdir -p "$out"
gateway=$((30000 + $$ % 1000))
silo=$((11000 + $$ % 1000))
daemon_pid=""
cleanup() {
    [ -n "$daemon_pid" ] && kill "$daemon_pid" 2>/dev/null || true
    pkill -KILL -f -- "$work" 2>/dev/null || true
    # Killed pods never gave back their cgroups (empty now; rmdir refuses any other).
    sleep 1
    for d in "$work"/data/pods/*/; do rmdir /sys/fs/cgroup/*/fleetpods/"$(basename "$d")" 2>/dev/null || true; done
    rm -rf "$work"
}
trap cleanup EXIT

dotnet src/Silo/bin/Release/net10.0/fleetpodsd.dll --data-dir "$work/data" --node-name bench \
    --silo-port "$silo" --gateway-port "$gateway" >"$work/daemon.log" 2>&1 &
daemon_pid=$!
for _ in $(seq 1 120); do grep -q " ready:" "$work/daemon.log" 2>/dev/null && break; sleep 0.5; done

cli="dotnet src/Cli/bin/Release/net10.0/fleetpods.dll --endpoint 127.0.0.1:$gateway"
./deploy/examples/make-busybox-aci.sh "$work/busybox.aci" >/dev/null
$cli image import "$work/busybox.aci" >/dev/null

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
