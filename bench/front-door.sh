#!/bin/sh
# How fast the front door answers: `fleetpods list-pods` with 1,000 pods on the node, over the daemon's API socket,
# beside `curl` of the same endpoint over the same socket; `fleetpods list-machines` over the socket and over HTTPS
# with a client certificate; and the same two commands of a build from before the front door (every command but a
# local run was an Orleans client started per call), on a daemon of that build holding the same 1,000 pods, in the
# same run on the same machine. Medians of 30 runs, by hyperfine.
# Usage (root): bench/front-door.sh [OLD_COMMIT]   -> prints a table and writes bench/out/front-door.{json,md}
# OLD_COMMIT defaults to 01a43d5, main before issue 12; OLD_TREE=DIR uses a tree of it already built in Release.
set -eu
cd "$(dirname "$0")/.."
for tool in hyperfine jq curl; do
    command -v "$tool" >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$tool" >/dev/null
done
bench_node=bench bench_ports=0
. bench/bench-daemon.sh

pods=1000
# Exited pods are listed like running ones and cost the machine nothing while the commands are timed.
many() {
    printf '[Pod]\nImage=example.com/busybox\nExec=/bin/true\nNetwork=none\nRestart=no\nCount=%s\n' "$pods"
}
wait_for_pods() { # $1: a command printing list-pods' JSON
    for _ in $(seq 1 600); do
        [ "$($1 | jq '[.[] | select(.phase == "exited")] | length')" -ge "$pods" ] && return 0
        sleep 1
    done
    echo "the $pods pods did not all run within 10 minutes" >&2
    exit 1
}
many > "$work/many.pod"
$cli start "$work/many.pod" >/dev/null
wait_for_pods "$cli list-pods -o json"

socket="/run/fleetpods/api-$api.sock"
pki="$work/data/pki"
https_cli="env FLEETPODS_CLIENT_CERT=$pki/admin.crt FLEETPODS_CLIENT_KEY=$pki/admin.key FLEETPODS_CA_CERT=$pki/ca.crt src/Cli/FleetPods.Cli.Native/bin/Release/net10.0/fleetpods --endpoint https://127.0.0.1:$api"
hyperfine -N --warmup 3 --runs 30 --export-json "$out/front-door.json" --export-markdown "$out/front-door.md" \
    -n "fleetpods list-pods (socket, $pods pods)" "$cli list-pods" \
    -n "curl GET /v1/pods (same socket)" "curl -sf --unix-socket $socket http://localhost/v1/pods -o /dev/null" \
    -n "fleetpods list-pods -o json (socket)" "$cli list-pods -o json" \
    -n "fleetpods list-machines (socket)" "$cli list-machines" \
    -n "fleetpods list-machines (HTTPS, client certificate)" "$https_cli list-machines"

# The build before the front door, on its own daemon holding the same pods, once this one is stopped (an idle daemon
# with 1,000 pods still reconciles them every 15 s, which would be charged to the other build's figures).
kill "$daemon_pid"
wait "$daemon_pid" 2>/dev/null || true
daemon_pid=""
old_tree=${OLD_TREE:-}
if [ -z "$old_tree" ]; then
    old_tree="$work/old"
    git worktree add -q --detach "$old_tree" "${1:-01a43d5}"
    trap 'cleanup; git worktree remove --force "$old_tree" 2>/dev/null || true' EXIT
    (cd "$old_tree" && dotnet build FleetPods.sln -c Release --nologo -v quiet >/dev/null)
fi
old_gateway=$((gateway + 1)) old_silo=$((silo + 1))
dotnet "$old_tree/src/Silo/bin/Release/net10.0/fleetpodsd.dll" --data-dir "$work/old-data" --node-name bench-old \
    --silo-port "$old_silo" --gateway-port "$old_gateway" >"$work/old-daemon.log" 2>&1 &
for _ in $(seq 1 120); do grep -q " ready:" "$work/old-daemon.log" 2>/dev/null && break; sleep 0.5; done
old_cli="$old_tree/src/Cli/FleetPods.Cli/bin/Release/net10.0/fleetpods --endpoint 127.0.0.1:$old_gateway"
$old_cli image import "$work/busybox.aci" >/dev/null
$old_cli start "$work/many.pod" >/dev/null
wait_for_pods "$old_cli list-pods -o json"

hyperfine -N --warmup 3 --runs 30 --export-json "$out/front-door-before.json" --export-markdown "$out/front-door-before.md" \
    -n "before: fleetpods list-pods (Orleans client, $pods pods)" "$old_cli list-pods" \
    -n "before: fleetpods list-machines (Orleans client)" "$old_cli list-machines"

jq -r '.results[] | "\(.command): median \(.median * 1000 * 10 | floor / 10) ms"' "$out/front-door.json" "$out/front-door-before.json"
jq -r '(.results[0].median / .results[1].median) as $r | "ratio fleetpods list-pods / curl: \($r * 100 | floor / 100)x"' "$out/front-door.json"
jq -rs '(.[1].results[0].median / .[0].results[0].median) as $r | "list-pods before / now: \($r * 10 | floor / 10)x"' "$out/front-door.json" "$out/front-door-before.json"
jq -rs '(.[1].results[1].median / .[0].results[3].median) as $r | "list-machines before / now: \($r * 10 | floor / 10)x"' "$out/front-door.json" "$out/front-door-before.json"
