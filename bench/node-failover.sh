#!/bin/sh
# Time from the loss of a node to all of its pods running elsewhere, median of 5 trials, with the membership
# default settings (--membership fast) beside Orleans' defaults (orleans-default), in the same
# run on the same machine, for two ways of losing a node: SIGKILL of its fleetpodsd ("kill": its port then
# refuses connections) and its network cut ("cut": the veth of its namespace goes down, so probes time out).
# Three nodes from deploy/cluster.sh, each in its own network namespace, on this machine's PostgreSQL; one unit
# with Count=6. Each trial loses the node of a pod, polls `fleetpods list-pods` until six pods run and none on
# that node, then brings the node back (which stops its stale pods) before the next trial. Two moments are
# measured from the loss: when PostgreSQL's membership table marks the node dead (polled every 50 ms), and when
# the last replacement pod runs, read from the surviving nodes' own logs ("Pod … of failover.pod on node… is
# Running", millisecond timestamps). The CLI poll only says when to look: during a cut, calls that reach a grain
# on the cut-off silo hang until Orleans' 30 s response timeout, so its own timing would mislead.
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

# The newest "is Running" line of failover.pod on a node other than $2, logged after $1 (epoch seconds).
last_running_since() {
    grep -h "of failover.pod on node[0-9]* is Running" "$FLEETPODS_CLUSTER_DIR"/node*.log | grep -v " on $2 is " \
        | while read -r stamp _; do
            t=$(date -d "$stamp" +%s.%N)
            [ "$(echo "$t > $1" | bc)" = 1 ] && echo "$t"
        done | sort -n | tail -1
}

# The newest membership row of the node says 6 (dead).
is_dead() {
    [ "$(PGPASSWORD=fleetpods psql -h /var/run/postgresql -U fleetpods -d fleetpods_local -tAc \
        "SELECT Status FROM OrleansMembershipTable WHERE SiloName = '$1' ORDER BY Generation DESC LIMIT 1")" = 6 ]
}

# The lost node's API would only make each poll wait for its connection attempt.
running_elsewhere() {
    others=$(for i in 1 2 3; do [ "node$i" = "$1" ] || printf -- '--endpoint 127.0.0.1:%s ' "$((30443 + i))"; done)
    src/Cli/FleetPods.Cli.Native/bin/Release/net10.0/fleetpods $others list-pods --output json 2>/dev/null \
        | jq -e --arg gone "$1" '[.[] | select(.unitName == "failover.pod" and .phase == "running" and .nodeName != $gone)] | length == 6' >/dev/null
}

trial_set() {
    mode=$1
    failure=$2
    FLEETPODS_MEMBERSHIP=$mode ./deploy/cluster.sh up 3 >/dev/null
    # cluster.sh made the CA and the nodes' certificates with `fleetpods cert`; the CLI presents its admin certificate.
    eval "$(./deploy/cluster.sh env)"
    cli="src/Cli/FleetPods.Cli.Native/bin/Release/net10.0/fleetpods $(./deploy/cluster.sh endpoints)"
    for i in 1 2 3; do $cli image import "$work/busybox.aci" --node "node$i" >/dev/null; done
    $cli start "$work/failover.pod" >/dev/null
    until running_elsewhere none; do sleep 0.5; done
    times=""
    for trial in 1 2 3 4 5; do
        victim=$($cli list-pods --output json | jq -r '[.[] | select(.unitName == "failover.pod" and .phase == "running")][0].nodeName')
        rm -f "$work/dead"
        start=$(now)
        ./deploy/cluster.sh "$failure" "${victim#node}"
        (until is_dead "$victim"; do sleep 0.05; done; now >"$work/dead") &
        wait
        until running_elsewhere "$victim"; do sleep 0.1; done
        declared=$(echo "$(cat "$work/dead") - $start" | bc)
        took=$(echo "$(last_running_since "$start" "$victim") - $start" | bc)
        echo "$mode $failure trial $trial: lost $victim, declared dead after ${declared} s, its pods ran elsewhere after ${took} s" | tee -a "$out/node-failover.txt"
        times="$times $took"
        if [ "$failure" = cut ]; then
            ./deploy/cluster.sh heal "${victim#node}"
            ./deploy/cluster.sh kill "${victim#node}" 2>/dev/null || true
        fi
        FLEETPODS_MEMBERSHIP=$mode ./deploy/cluster.sh start "${victim#node}"
        sleep 3
    done
    median=$(echo "$times" | tr ' ' '\n' | grep . | sort -n | sed -n 3p)
    echo "$mode $failure median of 5: $median s" | tee -a "$out/node-failover.txt"
    eval "median_$(echo "$mode" | tr - _)_$failure=$median"
    ./deploy/cluster.sh down
}

echo "node failover, $(date -u +%Y-%m-%dT%H:%MZ)" >"$out/node-failover.txt"
for failure in kill cut; do
    trial_set fast "$failure"
    trial_set orleans-default "$failure"
done
echo "ratio orleans-default / fast, kill: $(echo "scale=2; $median_orleans_default_kill / $median_fast_kill" | bc)x" | tee -a "$out/node-failover.txt"
echo "ratio orleans-default / fast, cut: $(echo "scale=2; $median_orleans_default_cut / $median_fast_cut" | bc)x" | tee -a "$out/node-failover.txt"
