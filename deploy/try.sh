#!/bin/sh
# Builds FleetPods, starts a single-node fleetpodsd on the embedded default (SQLite state under
# /var/lib/fleetpods), imports a busybox image and runs an example pod, printing its output.
set -eu
cd "$(dirname "$0")/.."
./deploy/install-deps.sh
dotnet build FleetPods.sln -c Release --nologo -v quiet

data=${FLEETPODS_DATA_DIR:-/var/lib/fleetpods}
bin=src/Silo/bin/Release/net10.0
cli="src/Cli/FleetPods.Cli.Native/bin/Release/net10.0/fleetpods"
mkdir -p "$data"
# The gateway admits admin certificates only; fleetpodsd makes root's in $data/pki at its first start.
export FLEETPODS_CLIENT_CERT="$data/pki/admin.crt" FLEETPODS_CLIENT_KEY="$data/pki/admin.key" FLEETPODS_CA_CERT="$data/pki/ca.crt"
if ! $cli list-machines >/dev/null 2>&1; then
    nohup dotnet "$bin/fleetpodsd.dll" --data-dir "$data" >"$data/fleetpodsd.log" 2>&1 &
    echo "fleetpodsd started (pid $!), logging to $data/fleetpodsd.log"
    for _ in $(seq 1 120); do
        grep -q " ready:" "$data/fleetpodsd.log" 2>/dev/null && break
        sleep 0.5
    done
fi

./deploy/examples/make-busybox-aci.sh "$data/busybox.aci"
$cli image import "$data/busybox.aci"
$cli run example.com/busybox -- /bin/sh -c 'echo "hello from pod $(hostname), I am pid $$"'
$cli start deploy/examples/hello.pod
$cli list-machines
$cli list-units
echo "Try: $cli list-pods"
