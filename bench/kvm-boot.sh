#!/bin/sh
# Boot-to-app of a stage1 kvm pod on each guest kernel, the one deploy/build-guest-kernel.sh builds (a PVH vmlinux,
# no modules) and Debian's newest /boot/vmlinuz-* (the fallback), each beside a bare qemu boot of the same kernel,
# same machine, memory and accelerator, in the same run: medians of $runs runs each, by hyperfine (1 warm-up).
#   bare qemu          qemu-system-x86_64 -M microvm with a busybox initramfs whose /init powers off at once
#   fleetpods run      the whole command, `fleetpods run --stage1 kvm example.com/busybox -- /bin/true`
# Then the host RSS of an idle kvm pod's qemu (default Memory=, app `sleep`), from /proc/PID/status and smaps_rollup.
# The runtime's own figure, qemu's start to the app's exec as the shim records it (DIR/boot), is the launcher's part
# without the CLI and the daemon: the shim alone takes only a pod directory with its manifest, which the daemon writes.
# Usage (root): bench/kvm-boot.sh [RUNS]   -> prints a summary and writes bench/out/kvm-boot-{built,debian}.{json,md,txt}
# (bench/kvm-boot.sh --kernel LABEL PATH RUNS is the part for one kernel, which the script runs for each.)
set -eu
cd "$(dirname "$0")/.."
for tool in hyperfine jq bc; do
    command -v "$tool" >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$tool" >/dev/null
done

if [ "${1:-}" != --kernel ]; then
    runs=${1:-5}
    built=$(./deploy/build-guest-kernel.sh)
    debian=$(ls /boot/vmlinuz-* | sort -V | tail -1)
    "$0" --kernel built "$built" "$runs"
    "$0" --kernel debian "$debian" "$runs"
    echo
    cat bench/out/kvm-boot-built.txt bench/out/kvm-boot-debian.txt
    jq -rn --slurpfile b bench/out/kvm-boot-built.json --slurpfile d bench/out/kvm-boot-debian.json \
        '"boot-to-app, fleetpods run: built kernel \($b[0].results[1].median * 1000 | floor) ms, Debian'"'"'s \($d[0].results[1].median * 1000 | floor) ms (\($d[0].results[1].median / $b[0].results[1].median * 10 | floor / 10)x faster)"'
    exit 0
fi
label=$2 kernel=$3 runs=$4
bench_node=kvmbench-$label bench_ports=$([ "$label" = built ] && echo 7 || echo 8)
bench_daemon_args="--kvm-kernel $kernel"
. bench/bench-daemon.sh

# Settles the accelerator (the probe, once per node) and builds the initramfs before anything is timed.
$cli run --stage1 kvm example.com/busybox -- /bin/true
accel=$($cli --output json list-machines | jq -r '.[0].kvmAccelerator')
initramfs=$(ls "$work"/data/kvm/initramfs-*.cpio)
# As QemuCommandLine and KvmLauncher: TCG gets -cpu max, the TSC rate and a bounded translation cache; KVM qemu64.
# The VM's memory is the default app share (128 MiB) and the kernel's overhead (KvmLauncher.OverheadMiB).
if [ "$accel" = kvm ]; then cpu=qemu64; clock="" accel_arg=kvm; else
    cpu=max; clock="tsc_early_khz=$(awk -F: '/^cpu MHz/ { printf "%d", $2 * 1000; exit }' /proc/cpuinfo)"; accel_arg=tcg,tb-size=32
fi
memory=$([ "$label" = built ] && echo $((128 + 32)) || echo $((128 + 128)))
machine="-M microvm -accel $accel_arg -cpu $cpu -m $memory -smp 1 -nodefaults -no-user-config -nographic -no-reboot -serial stdio -kernel $kernel"
append="console=ttyS0 quiet panic=-1 $clock"

# The bare reference: busybox-static as /init, which powers off at once.
mkdir -p "$work/bare/bin"
cp /bin/busybox "$work/bare/bin/busybox"
printf '#!/bin/busybox sh\n/bin/busybox poweroff -f\n' >"$work/bare/init"
chmod +x "$work/bare/init"
(cd "$work/bare" && find . | cpio --create --format=newc --owner=0:0 --quiet) >"$work/bare.cpio"

hyperfine --warmup 1 --runs "$runs" --export-json "$out/kvm-boot-$label.json" --export-markdown "$out/kvm-boot-$label.md" \
    -n "$label: bare qemu (busybox, power-off)" "/usr/bin/qemu-system-x86_64 $machine -initrd $work/bare.cpio -append '$append' >/dev/null" \
    -n "$label: fleetpods run --stage1 kvm" "$cli run --stage1 kvm example.com/busybox -- /bin/true"

# An idle pod: its qemu's resident memory once the app runs.
$cli run --stage1 kvm example.com/busybox -- /bin/sh -c 'echo ready; exec sleep 600' >"$work/idle.out" 2>&1 &
idle=$!
for _ in $(seq 1 1200); do grep -q ready "$work/idle.out" && break; sleep 0.1; done
qemu=$(pgrep -f "^/usr/bin/qemu-system-x86_64 .*$work/data" | head -1)
rss=$(awk '/^VmRSS/ { print int($2 / 1024) }' "/proc/$qemu/status")
anonymous=$(awk '/^Anonymous/ { print int($2 / 1024) }' "/proc/$qemu/smaps_rollup")
vm_memory=$(tr '\0' '\n' <"/proc/$qemu/cmdline" | sed -n '/^-m$/{n;p}')
kill "$idle"
wait "$idle" || true

median() { sort -n | awk '{ a[NR] = $1 } END { print (NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2) }'; }
{
    echo "$label kernel: $kernel; accelerator: $accel; -m $memory; $(nproc) cores; load: $(cut -d' ' -f1-3 /proc/loadavg)"
    jq -r '.results[] | "\(.command): median \(.median * 1000 | floor) ms (min \(.min * 1000 | floor), max \(.max * 1000 | floor))"' "$out/kvm-boot-$label.json"
    jq -r '(.results[1].median / .results[0].median) as $r | "ratio fleetpods run / bare qemu: \($r * 100 | floor / 100)x"' "$out/kvm-boot-$label.json"
    echo "qemu start to the app's exec, as the runtime records it (median of every pod): $(cat "$work"/data/pods/*/boot | median) ms"
    echo "idle pod (app: sleep; VM -m $vm_memory MiB): qemu RSS $rss MiB, of which anonymous $anonymous MiB"
} | tee "$out/kvm-boot-$label.txt"
