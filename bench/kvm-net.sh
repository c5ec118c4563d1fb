#!/bin/sh
# Stage1 kvm on the pod network, beside stage1 ns, against one fleetpodsd of its own:
#   boot-to-app       qemu's start to the app's exec as the runtime records it (DIR/boot), for `--net none` and for the
#                     default network (tap + virtio-net, eth0 configured by the guest's init): what the device costs
#   first answer      from `fleetpods run --port …` to the first HTTP answer through the forwarded port, kvm and ns
#   round trip        curl's total time for one request through the forwarded port once the pod serves (median of 20)
# Usage (root; after `dotnet build FleetPods.sln -c Release`): RUNS=5 bench/kvm-net.sh -> bench/out/kvm-net.txt
set -eu
cd "$(dirname "$0")/.."
runs=${RUNS:-5}
out=bench/out
mkdir -p "$out"
work=$(mktemp -d /tmp/fleetpods-kvmnet-XXXXXX)
api=$((32500 + $$ % 1000)) silo=$((11500 + $$ % 1000)) gateway=$((30500 + $$ % 1000)) port=$((40500 + $$ % 1000))
daemon_pid=""
cleanup() {
    [ -z "$daemon_pid" ] || { kill "$daemon_pid" 2>/dev/null; wait "$daemon_pid" 2>/dev/null || true; }
    rm -rf "$work"
}
trap cleanup EXIT

dotnet src/Silo/bin/Release/net10.0/fleetpodsd.dll --data-dir "$work/data" --node-name kvmnet \
    --silo-port "$silo" --gateway-port "$gateway" --api-port "$api" >"$work/daemon.log" 2>&1 &
daemon_pid=$!
for _ in $(seq 1 240); do grep -q " ready:" "$work/daemon.log" 2>/dev/null && break; sleep 0.5; done
cli="src/Cli/FleetPods.Cli.Native/bin/Release/net10.0/fleetpods --endpoint 127.0.0.1:$api"
./deploy/examples/make-busybox-aci.sh "$work/busybox.aci" >/dev/null
$cli image import "$work/busybox.aci" >/dev/null
# Settles the accelerator (the probe, once per node) and builds the initramfs before anything is timed.
$cli run --stage1 kvm --net none example.com/busybox -- /bin/true

median() { sort -n | awk '{ a[NR] = $1 } END { print (NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2) }'; }
now_ms() { date +%s%3N; }

# The boot record of the pod run by "$@", appended to $work/boot-$NET; the two networks take turns, so a change in the
# machine's load falls on both.
boot() {
    ls "$work/data/pods" >"$work/before"
    $cli run --stage1 kvm --net "$1" example.com/busybox -- /bin/true
    cat "$work/data/pods/$(ls "$work/data/pods" | grep -vxF -f "$work/before")/boot" >>"$work/boot-$1"
}
for _ in $(seq 1 "$runs"); do boot none; boot default; done
none=$(median <"$work/boot-none")
bridge=$(median <"$work/boot-default")

# A pod serving HTTP on its port 8080 behind the node's $port until /ctl/stop exists; prints ms to the first answer.
serve() {
    ctl=$(mktemp -d -p "$work" ctl-XXXXXX)
    start=$(now_ms)
    $cli run --stage1 "$1" --port "http:$port:8080/tcp" --volume "ctl,kind=host,source=$ctl" --mount volume=ctl,target=/ctl \
        example.com/busybox -- /bin/sh -c 'mkdir -p /www && echo hi > /www/index.html && httpd -p 8080 -h /www && while [ ! -e /ctl/stop ]; do sleep 0.2; done' >/dev/null &
    run=$!
    for _ in $(seq 1 1200); do curl -sf -m 2 "http://127.0.0.1:$port/" >/dev/null && break; sleep 0.05; done
    curl -sf -m 2 "http://127.0.0.1:$port/" >/dev/null || { echo "stage1 $1: no answer on port $port" >&2; exit 1; }
    first=$(($(now_ms) - start))
    trip=$(for _ in $(seq 1 20); do curl -sf -o /dev/null -w '%{time_total}\n' "http://127.0.0.1:$port/"; done | median)
    touch "$ctl/stop"
    wait "$run"
    echo "$first $(echo "$trip * 1000" | bc)"
}
kvm=$(serve kvm)
ns=$(serve ns)

{
    echo "$(nproc) cores; load: $(cut -d' ' -f1-3 /proc/loadavg); accelerator: $($cli --output json list-machines | jq -r '.[0].kvmAccelerator'); medians of $runs runs"
    echo "kvm boot-to-app (qemu start to the app's exec): --net none $none ms ($(sort -n "$work/boot-none" | tr '\n' ' ')), --net default $bridge ms ($(sort -n "$work/boot-default" | tr '\n' ' '))"
    echo "first HTTP answer through a forwarded port after fleetpods run: kvm $(echo "$kvm" | cut -d' ' -f1) ms, ns $(echo "$ns" | cut -d' ' -f1) ms"
    echo "one HTTP request through the forwarded port (median of 20): kvm $(echo "$kvm" | cut -d' ' -f2) ms, ns $(echo "$ns" | cut -d' ' -f2) ms"
} | tee "$out/kvm-net.txt"
