#!/bin/sh
# `fleetpods enter` into a stage1 kvm pod beside enter into an ns pod, against one fleetpodsd, same run:
#   latency     `fleetpods enter POD -- /bin/true`, median of 20 runs by hyperfine (2 warm-ups)
#   stdin       16 MiB piped in: `head -c 16M /dev/zero | fleetpods enter POD -- wc -c`, 3 runs
#   stdout      16 MiB out: `fleetpods enter POD -- head -c 16M /dev/zero >/dev/null`, 3 runs
# The kvm pod's commands run in its VM (TCG where the node's KVM cannot boot the guest), through the daemon, the
# relay (fleetpods-shim --enter-vm), the supervisor's socket and the guest's enter port.
# Usage (root): bench/kvm-enter.sh   -> prints a summary and writes bench/out/kvm-enter.{json,md}
set -eu
cd "$(dirname "$0")/.."
for tool in hyperfine jq; do
    command -v "$tool" >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$tool" >/dev/null
done
bench_node=kvmenter bench_ports=8
. bench/bench-daemon.sh

for flavor in kvm ns; do
    printf '[Pod]\nImage=example.com/busybox\nStage1=%s\nExec=/bin/sleep 100000\n' "$flavor" >"$work/$flavor.pod"
    $cli start "$work/$flavor.pod" >/dev/null
done
pod_of() {
    for _ in $(seq 1 600); do
        id=$($cli --output json list-pods | jq -r --arg unit "$1" '.[] | select(.unitName == $unit and .phase == "running") | .id')
        [ -n "$id" ] && { echo "$id"; return; }
        sleep 0.2
    done
    echo "the pod of $1 did not run" >&2
    exit 1
}
vm=$(pod_of kvm.pod)
ns=$(pod_of ns.pod)
accel=$($cli --output json list-machines | jq -r '.[0].kvmAccelerator')

# -N: no shell between hyperfine and the CLI (whose stdin is then /dev/null).
hyperfine -N --warmup 2 --runs 20 --export-json "$out/kvm-enter.json" --export-markdown "$out/kvm-enter.md" \
    -n "enter kvm pod ($accel) -- /bin/true" "$cli enter $vm -- /bin/true" \
    -n "enter ns pod -- /bin/true" "$cli enter $ns -- /bin/true"
hyperfine --runs 3 --export-json "$out/kvm-enter-bytes.json" --export-markdown "$out/kvm-enter-bytes.md" \
    -n "16 MiB stdin, kvm pod" "head -c 16777216 /dev/zero | $cli enter $vm -- wc -c >/dev/null" \
    -n "16 MiB stdin, ns pod" "head -c 16777216 /dev/zero | $cli enter $ns -- wc -c >/dev/null" \
    -n "16 MiB stdout, kvm pod" "$cli enter $vm -- head -c 16777216 /dev/zero </dev/null >/dev/null" \
    -n "16 MiB stdout, ns pod" "$cli enter $ns -- head -c 16777216 /dev/zero </dev/null >/dev/null"
test "$(head -c 16777216 /dev/zero | $cli enter "$vm" -- wc -c | tr -d ' ')" = 16777216
test "$($cli enter "$vm" -- head -c 16777216 /dev/zero </dev/null | wc -c)" = 16777216
cat "$out/kvm-enter.md" "$out/kvm-enter-bytes.md"
