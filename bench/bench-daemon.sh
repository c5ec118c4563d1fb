# Sourced by the benchmark scripts: builds Release and starts one fleetpodsd on a temporary data directory, with
# the busybox ACI imported. Usage: bench_node=NAME bench_ports=OFFSET; . bench/bench-daemon.sh
# ($bench_daemon_args, when set, is added to fleetpodsd's command line, e.g. --kvm-kernel PATH.)
# Sets $work (the temporary directory), $out (bench/out) and $cli (the fleetpods command for that daemon, through
# its API socket); on exit
# the daemon and every pod under $work are killed, their empty cgroups removed and $work deleted.
./deploy/install-deps.sh >/dev/null
dotnet build FleetPods.sln -c Release --nologo -v quiet >/dev/null

work=$(mktemp -d "/tmp/fleetpods-$bench_node-XXXXXX")
out=bench/out
mkdir -p "$out"
gateway=$((30000 + bench_ports + $$ % 1000))
silo=$((11000 + bench_ports + $$ % 1000))
api=$((32000 + bench_ports + $$ % 1000))
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

dotnet src/Silo/bin/Release/net10.0/fleetpodsd.dll --data-dir "$work/data" --node-name "$bench_node" \
    --silo-port "$silo" --gateway-port "$gateway" --api-port "$api" ${bench_daemon_args:-} >"$work/daemon.log" 2>&1 &
daemon_pid=$!
for _ in $(seq 1 120); do grep -q " ready:" "$work/daemon.log" 2>/dev/null && break; sleep 0.5; done

cli="src/Cli/FleetPods.Cli.Native/bin/Release/net10.0/fleetpods --endpoint 127.0.0.1:$api"
./deploy/examples/make-busybox-aci.sh "$work/busybox.aci" >/dev/null
$cli image import "$work/busybox.aci" >/dev/null
