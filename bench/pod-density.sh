#!/bin/sh
# Host memory per sleeping pod: starts a fleetpodsd on a temporary data directory, measures the RSS and PSS of
# every FleetPods host-side process (the daemon and the pods' fleetpods-shim supervisors; not the pods' own
# apps), starts N pods of a template unit (default 200, stage1 ns, default network) that sleep, waits until
# all run, measures again, and prints (after - before) / N.
# Usage (root): bench/pod-density.sh [N]   -> prints the figures and writes bench/out/pod-density.txt
set -eu
cd "$(dirname "$0")/.."
count=${1:-200}
bench_node=density bench_ports=1000
. bench/bench-daemon.sh
printf '[Pod]\nImage=example.com/busybox\nExec=/bin/sleep 100000\n' >"$work/sleeper@.pod"
$cli submit "$work/sleeper@.pod" >/dev/null
# One pod first, so the daemon's one-off costs (JIT, the image's first use, the bridge) are in "before".
$cli start sleeper@0 >/dev/null
sleep 2

# kB of RSS and PSS of the daemon and of every supervisor of this data directory.
measure() {
    pids="$daemon_pid $(pgrep -f -- "fleetpods-shim --pod-dir $work/data" | tr '\n' ' ')"
    rss=0; pss=0; shims=0
    for pid in $pids; do
        r=$(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status" 2>/dev/null || echo 0)
        p=$(awk '/^Pss:/ {print $2}' "/proc/$pid/smaps_rollup" 2>/dev/null || echo 0)
        rss=$((rss + ${r:-0})); pss=$((pss + ${p:-0}))
        [ "$pid" = "$daemon_pid" ] || shims=$((shims + 1))
    done
    echo "$rss $pss $shims"
}
set -- $(measure); rss0=$1; pss0=$2; shims0=$3

units=""
for i in $(seq 1 "$count"); do units="$units sleeper@$i"; done
started=$(date +%s.%N)
$cli start $units >/dev/null
for _ in $(seq 1 600); do
    running=$($cli list-pods --output json | grep -c '"phase": "running"' || true)
    [ "$running" -ge $((count + 1)) ] && break
    sleep 1
done
ready=$(date +%s.%N)
sleep 5
set -- $(measure); rss1=$1; pss1=$2; shims1=$3

{
    echo "pods started: $count (running: $running, supervisors before/after: $shims0/$shims1), in $(awk "BEGIN { print $ready - $started }") s"
    echo "FleetPods host-side RSS: before $rss0 kB, after $rss1 kB; added per pod: $(( (rss1 - rss0) / count )) kB"
    echo "FleetPods host-side PSS: before $pss0 kB, after $pss1 kB; added per pod: $(( (pss1 - pss0) / count )) kB"
    echo "daemon RSS after: $(awk '/^VmRSS:/ {print $2}' /proc/$daemon_pid/status) kB"
} | tee "$out/pod-density.txt"
