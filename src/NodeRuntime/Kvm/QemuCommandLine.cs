using System.Globalization;

namespace FleetPods.NodeRuntime.Kvm;

/// <summary>
/// The qemu command line of a stage1 <c>kvm</c> pod (and of the accelerator probe): the microvm machine, which has no
/// PCI bus, no firmware to run and no devices but the ones named here, all virtio-mmio; the guest kernel booted
/// directly with our initramfs; the console on the serial port, which goes to the pod's <c>console</c> file, never
/// to its log. qemu reads commas in an option's value as separators unless doubled, so paths are escaped.
/// </summary>
internal static class QemuCommandLine
{
    /// <summary>The fds the supervisor gives qemu for the guest's control and output ports (see kvm.c).</summary>
    private const int ControlFd = 3;
    private const int OutputFd = 4;

    /// <summary>Marks the guest's kernel command line as ours; a pod adds its id to it.</summary>
    public const string Marker = "fleetpods.pod";

    /// <summary>The machine without the pod's devices: what a probe boots, and what every pod starts from.</summary>
    public static List<string> Machine(string qemu, KvmAccelerator accelerator, GuestKernel kernel, string initramfs, int memoryMiB, int cpus, string kernelArguments)
    {
        ArgumentNullException.ThrowIfNull(kernel);
        List<string> arguments =
        [
            qemu,
            // No firmware ROMs, legacy timers or RTC: the kernel is entered directly and needs none of them.
            "-M", "microvm,x-option-roms=off,pit=off,pic=off,rtc=off",
            "-accel", accelerator == KvmAccelerator.Kvm ? "kvm" : "tcg",
            // KVM takes the host's CPU model as qemu's default allows; TCG emulates the richest model it can.
            "-cpu", accelerator == KvmAccelerator.Kvm ? "qemu64" : "max",
            "-m", memoryMiB.ToString(CultureInfo.InvariantCulture),
            "-smp", cpus.ToString(CultureInfo.InvariantCulture),
            "-nodefaults", "-no-user-config", "-nographic", "-no-reboot",
            "-serial", "stdio",
            "-kernel", kernel.Path,
            "-initrd", initramfs,
            "-append", "console=ttyS0 quiet panic=-1 " + kernelArguments,
        ];
        return arguments;
    }

    /// <summary>The pod's devices: its two virtio-serial ports and a 9p share per app root and volume.</summary>
    public static void AddPodDevices(List<string> arguments, IEnumerable<GuestShare> shares)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        ArgumentNullException.ThrowIfNull(shares);
        arguments.AddRange([
            "-device", "virtio-serial-device",
            "-chardev", $"socket,id=control,fd={ControlFd}",
            "-device", $"virtserialport,chardev=control,name={GuestPorts.Control}",
            "-chardev", $"socket,id=output,fd={OutputFd}",
            "-device", $"virtserialport,chardev=output,name={GuestPorts.Output}",
        ]);
        foreach (var share in shares)
        {
            // passthrough: the guest sees the files' real owners and modes, so User= means what it means under stage1
            // ns, and what an app creates belongs on the host to the user it ran as. qemu runs as root, which it needs.
            var fsdev = $"local,id={share.Tag},path={Escape(share.HostPath)},security_model=passthrough" + (share.ReadOnly ? ",readonly=on" : "");
            arguments.AddRange(["-fsdev", fsdev, "-device", $"virtio-9p-device,fsdev={share.Tag},mount_tag={share.Tag}"]);
        }
    }

    private static string Escape(string value) => value.Replace(",", ",,", StringComparison.Ordinal);
}
