#!/bin/sh
# Time from SIGKILL of a node's fleetpodsd to all of its pods running elsewhere, median of 5 trials, with the
# membership settings the README recommends (--membership fast) beside Orleans' defaults (orleans-default),
# in the same run on the same machine. Three nodes from deploy/cluster.sh, each in its own network namespace,
# on this machine's PostgreSQL; one unit with Count=6 (two pods per node). Each trial kills the node of a pod,
# polls `fleetpods list-pods` until six pods run and none on that node, then starts the node again (which
# stops its stale pods) before the next trial. The poll is a CLI process (~0.4 s each), so figures are
# rounded up by up to that much.
# Usage (root): bench/node-failover.sh   -> prints the figures and writes bench/out/node-failover.txt
set -eu
cd "$(dirname "$0")/.."
./deploy/install-deps.sh >/dev/null
command -v jq >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq jq >/dev/null
dotnet build FleetPods.sln -c Release --nologo -v quiet >/dev/null

out=bench/out
mkdir -p "$out"
work=$(mktemp -d /tmp/fleetpods-failover-XXXXXX)
export FLEETPODS_CLUSTER_DIR="$work/cluster"
trap './deploy/cluster.sh down; rm -rf "$work"' EXIT
./deploy/examples/make-busybox-aci.sh "$work/busybox.aci" >/dev/null
printf '[Pod]\nImage=example.com/busybox\nExec=/bin/sleep 100000\nMemory=16M\nCount=6\n' >"$work/failover.pod"

now() { date +%s.%N; }

running_elsewhere() {
    $cli list-pods --output json 2>/dev/null \
        | jq -e --arg gone "$1" '[.[] | select(.unitName == "failover.pod" and .phase == "running" and .nodeName != $gone)] | length == 6' >/dev/null
}

trial_set() {
    mode=$1
    FLEETPODS_MEMBERSHIP=$mode ./deploy/cluster.sh up 3 >/dev/null
    cli="dotnet src/Cli/bin/Release/net10.0/fleetpods.dll $(./deploy/cluster.sh endpoints)"
    for i in 1 2 3; do $cli image import "$work/busybox.aci" --node "node$i" >/dev/null; done
    $cli start "$work/failover.pod" >/dev/null
    until running_elsewhere none; do sleep 0.5; done
    times=""
    for trial in 1 2 3 4 5; do
        victim=$($cli list-pods --output json | jq -r '[.[] | select(.unitName == "failover.pod" and .phase == "running")][0].nodeName')
        start=$(now)
        ./deploy/cluster.sh kill "${victim#node}"
        until running_elsewhere "$victim"; do sleep 0.1; done
        took=$(echo "$(now) - $start" | bc)
        echo "$mode trial $trial: killed $victim, its pods ran elsewhere after ${took} s" | tee -a "$out/node-failover.txt"
        times="$times $took"
        FLEETPODS_MEMBERSHIP=$mode ./deploy/cluster.sh start "${victim#node}"
        sleep 3
    done
    median=$(echo "$times" | tr ' ' '\n' | grep . | sort -n | sed -n 3p)
    echo "$mode median of 5: $median s" | tee -a "$out/node-failover.txt"
    eval "median_$(echo "$mode" | tr - _)=$median"
    ./deploy/cluster.sh down
}

echo "node failover, $(date -u +%Y-%m-%dT%H:%MZ)" >"$out/node-failover.txt"
trial_set fast
trial_set orleans-default
echo "ratio orleans-default / fast: $(echo "scale=2; $median_orleans_default / $median_fast" | bc)x" | tee -a "$out/node-failover.txt"
