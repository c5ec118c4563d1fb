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
    private const int EnterFd = 5;

    /// <summary>The fd of the VM's tap device, which the supervisor makes on the node's bridge (see network.c).</summary>
    private const int TapFd = 6;

    /// <summary>Marks the guest's kernel command line as ours; a pod adds its id to it.</summary>
    public const string Marker = "fleetpods.pod";

    /// <summary>The machine without the pod's devices: what a probe boots, and what every pod starts from.</summary>
    public static List<string> Machine(string qemu, KvmAccelerator accelerator, GuestKernel kernel, string initramfs, int memoryMiB, int cpus, string kernelArguments)
    {
        ArgumentNullException.ThrowIfNull(kernel);
        List<string> arguments =
        [
            qemu,
            // microvm's defaults: without its PIT the guest kernel cannot calibrate its clock under TCG and hangs.
            "-M", "microvm",
            "-accel", Accelerator(accelerator),
            // KVM takes the host's CPU model as qemu's default allows; TCG emulates the richest model it can.
            "-cpu", accelerator == KvmAccelerator.Kvm ? "qemu64" : "max",
            "-m", memoryMiB.ToString(CultureInfo.InvariantCulture),
            "-smp", cpus.ToString(CultureInfo.InvariantCulture),
            "-nodefaults", "-no-user-config", "-nographic", "-no-reboot",
            "-serial", "stdio",
            "-kernel", kernel.Path,
            "-initrd", initramfs,
            "-append", "console=ttyS0 quiet panic=-1 " + TrustCpuRandomArgument + (accelerator == KvmAccelerator.Kvm ? "" : TcgClockArgument.Value) + kernelArguments,
        ];
        return arguments;
    }

    // The kernel built for the job does not seed its random generator from the CPU by default (tinyconfig), so the
    // first getrandom() in the guest waited about 2.7 s under TCG for "crng init done"; qemu's CPUs have RDRAND.
    private const string TrustCpuRandomArgument = "random.trust_cpu=on ";

    // TCG's translation cache is 1 GiB by default, filled as the guest's code is translated and never given back: an
    // idle pod's qemu held about 25 MiB of it after a boot. 12 MiB holds most of what a boot translates; when full,
    // qemu flushes it and translates again, which costs time only, never correctness (docs/stage1.md, "Memory").
    private const int TcgTranslationCacheMiB = 12;

    private static string Accelerator(KvmAccelerator accelerator) =>
        accelerator == KvmAccelerator.Kvm ? "kvm" : $"tcg,tb-size={TcgTranslationCacheMiB.ToString(CultureInfo.InvariantCulture)}";

    // Under TCG the guest calibrates its TSC against the emulated PIT; on a busy host that fails now and then and the
    // kernel then hangs before its init (seen here in about one boot of six). Telling it the frequency skips the
    // calibration. TCG's TSC is the host's, so the host's clock rate is right; any plausible value would avoid the hang.
    private static readonly Lazy<string> TcgClockArgument = new(() =>
    {
        var line = File.Exists("/proc/cpuinfo") ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("cpu MHz", StringComparison.Ordinal)) : null;
        var megahertz = line is not null && double.TryParse(line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim(), CultureInfo.InvariantCulture, out var value) && value > 0 ? value : 2000;
        return $"tsc_early_khz={(long)(megahertz * 1000)} ";
    });

    /// <summary>The pod's devices: its three virtio-serial ports and a 9p share per app root and volume.</summary>
    public static void AddPodDevices(List<string> arguments, IEnumerable<Manifest.FleetPodsShare> shares)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        ArgumentNullException.ThrowIfNull(shares);
        arguments.AddRange([
            "-device", "virtio-serial-device",
            "-chardev", $"socket,id=control,fd={ControlFd}",
            "-device", $"virtserialport,chardev=control,name={GuestPorts.Control}",
            "-chardev", $"socket,id=output,fd={OutputFd}",
            "-device", $"virtserialport,chardev=output,name={GuestPorts.Output}",
            "-chardev", $"socket,id=enter,fd={EnterFd}",
            "-device", $"virtserialport,chardev=enter,name={GuestPorts.Enter}",
        ]);
        foreach (var share in shares)
        {
            // passthrough: the guest sees the files' real owners and modes, so User= means what it means under stage1
            // ns, and what an app creates belongs on the host to the user it ran as. qemu runs as root, which it needs.
            var fsdev = $"local,id={share.Tag},path={Escape(share.Path)},security_model=passthrough" + (share.ReadOnly ? ",readonly=on" : "");
            arguments.AddRange(["-fsdev", fsdev, "-device", $"virtio-9p-device,fsdev={share.Tag},mount_tag={share.Tag}"]);
        }
    }

    /// <summary>The pod's network device on the default network: virtio-net on the tap the supervisor hands qemu, with the pod's MAC.</summary>
    public static void AddNetworkDevice(List<string> arguments, string mac)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        arguments.AddRange(["-netdev", $"tap,id=net0,fd={TapFd}", "-device", $"virtio-net-device,netdev=net0,mac={mac}"]);
    }

    private static string Escape(string value) => value.Replace(",", ",,", StringComparison.Ordinal);
}
