#!/bin/sh
# Boot-to-app of a stage1 kvm pod beside a bare qemu boot of the same kernel, same machine type and accelerator, in
# the same run: medians of 10 runs each, by hyperfine (1 warm-up).
#   bare qemu          qemu-system-x86_64 -M microvm with a busybox initramfs whose /init powers off at once
#   fleetpods-shim     the kvm launcher alone: the shim in its kvm mode, qemu, our initramfs (modules, 9p, ports),
#                      the app /bin/true from an overlay of the busybox rootfs, its exit reported, power-off
#   fleetpods run      the whole command, `fleetpods run --stage1 kvm example.com/busybox -- /bin/true`
# The runtime's own figure, qemu's start to the app's exec as the shim records it (DIR/boot), is given too: it is
# the VM path without the CLI's start-up and without the power-off.
# Usage (root): bench/kvm-boot.sh   -> prints a summary and writes bench/out/kvm-boot.{json,md,txt}
set -eu
cd "$(dirname "$0")/.."
for tool in hyperfine jq bc; do
    command -v "$tool" >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$tool" >/dev/null
done
bench_node=kvmbench bench_ports=7
. bench/bench-daemon.sh

# Settles the accelerator (the probe, once per node) and builds the initramfs before anything is timed.
$cli run --stage1 kvm example.com/busybox -- /bin/true
accel=$($cli --output json list-machines | jq -r '.[0].kvmAccelerator')
kernel=$(ls /boot/vmlinuz-* | sort -V | tail -1)
initramfs=$(ls "$work"/data/kvm/initramfs-*.cpio)
# As QemuCommandLine: TCG gets -cpu max and the TSC rate; KVM qemu64.
if [ "$accel" = kvm ]; then cpu=qemu64; clock=""; else cpu=max; clock="tsc_early_khz=$(awk -F: '/^cpu MHz/ { printf "%d", $2 * 1000; exit }' /proc/cpuinfo)"; fi
machine="-M microvm -accel $accel -cpu $cpu -m 256 -smp 1 -nodefaults -no-user-config -nographic -no-reboot -serial stdio -kernel $kernel"
append="console=ttyS0 quiet panic=-1 $clock"

# The bare reference: busybox-static as /init, which powers off at once.
mkdir -p "$work/bare/bin"
cp /bin/busybox "$work/bare/bin/busybox"
printf '#!/bin/busybox sh\n/bin/busybox poweroff -f\n' >"$work/bare/init"
chmod +x "$work/bare/init"
(cd "$work/bare" && find . | cpio --create --format=newc --owner=0:0 --quiet) >"$work/bare.cpio"

# The launcher alone: a pod directory as the runtime makes it, the shim as the runtime starts it.
mkdir -p "$work/image"
tar -xzf "$work/busybox.aci" -C "$work/image"
cat >"$work/shim-kvm.sh" <<SCRIPT
#!/bin/sh
set -eu
d=\$(mktemp -d -p $work pod-XXXXXX)
mkdir \$d/upper \$d/work \$d/rootfs
printf '%s\0' --hostname bench --share r0 rw --app app --rootfs /fleetpods/9p/r0 --env PATH=/bin --arg /bin/true >\$d/guest
printf '\0' >>\$d/guest
set -- /usr/bin/qemu-system-x86_64 $machine -initrd $initramfs -append "$append fleetpods.pod=bench" \
    -device virtio-serial-device -chardev socket,id=control,fd=3 -device virtserialport,chardev=control,name=fleetpods.ctl \
    -chardev socket,id=output,fd=4 -device virtserialport,chardev=output,name=fleetpods.out \
    -fsdev local,id=r0,path=\$d/rootfs,security_model=passthrough -device virtio-9p-device,fsdev=r0,mount_tag=r0
# Each qemu argument becomes --vm ARGUMENT: appended behind the list while the original is shifted off its front.
n=\$#
while [ \$n -gt 0 ]; do set -- "\$@" --vm "\$1"; shift; n=\$((n - 1)); done
src/NodeRuntime/bin/Release/net10.0/fleetpods-shim --stage1 kvm --pod-dir \$d --overlay $work/image/rootfs \$d/upper \$d/work \$d/rootfs "\$@"
test "\$(cat \$d/exit)" = 0
SCRIPT
chmod +x "$work/shim-kvm.sh"

hyperfine --warmup 1 --runs 10 --export-json "$out/kvm-boot.json" --export-markdown "$out/kvm-boot.md" \
    -n "bare qemu (busybox, power-off)" "/usr/bin/qemu-system-x86_64 $machine -initrd $work/bare.cpio -append '$append' >/dev/null" \
    -n "fleetpods-shim --stage1 kvm alone" "$work/shim-kvm.sh" \
    -n "fleetpods run --stage1 kvm" "$cli run --stage1 kvm example.com/busybox -- /bin/true"

median() { sort -n | awk '{ a[NR] = $1 } END { print (NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2) }'; }
{
    echo "accelerator: $accel; kernel: $kernel; $(nproc) cores; load: $(cut -d' ' -f1-3 /proc/loadavg)"
    jq -r '.results[] | "\(.command): median \(.median * 1000 | floor) ms (min \(.min * 1000 | floor), max \(.max * 1000 | floor))"' "$out/kvm-boot.json"
    jq -r '(.results[1].median / .results[0].median) as $r | "ratio launcher alone / bare qemu: \($r * 100 | floor / 100)x"' "$out/kvm-boot.json"
    jq -r '(.results[2].median / .results[0].median) as $r | "ratio fleetpods run / bare qemu: \($r * 100 | floor / 100)x"' "$out/kvm-boot.json"
    echo "qemu start to the app's exec, as the runtime records it (median): launcher alone $(cat "$work"/pod-*/boot | median) ms, fleetpods run $(cat "$work"/data/pods/*/boot | median) ms"
    echo "max RSS: bare qemu $(/usr/bin/time -f %M /usr/bin/qemu-system-x86_64 $machine -initrd "$work/bare.cpio" -append "$append" 2>&1 >/dev/null | tail -1) kB, launcher with its qemu $(/usr/bin/time -f %M "$work/shim-kvm.sh" 2>&1 | tail -1) kB"
} | tee "$out/kvm-boot.txt"
