using System.Globalization;
using FleetPods.NodeRuntime.Manifest;
using FleetPods.NodeRuntime.Pods;
using Microsoft.Extensions.Logging;

namespace FleetPods.NodeRuntime.Kvm;

/// <summary>
/// Stage1 <c>kvm</c>: the whole pod inside a qemu microVM. The node's kernel, initramfs and accelerator are settled
/// once (built and probed at the first kvm pod, or by <see cref="PrepareAsync"/>); each pod's manifest then gets a qemu
/// command line and the directories the VM shares, and the same supervisor as the other flavors runs qemu as its only
/// child (see Native/kvm.c) and hands the manifest to the guest's init.
/// </summary>
internal sealed class KvmLauncher(NodeRuntimeOptions options, string shimPath, string cacheDirectory, ILogger logger) : IDisposable
{
    /// <summary>
    /// What the VM has beyond its apps' Memory= on Debian's kernel: the kernel, its modules, page cache and our init, as
    /// rkt allowed.
    /// </summary>
    public const int ModularKernelOverheadMiB = 128;

    /// <summary>
    /// The same on the kernel built for the job: about 10 MiB of kernel and its memory map, the rest for the guest's
    /// own allocations (page tables, sockets, 9p buffers) so the apps still get their Memory= (docs/stage1.md, "Memory").
    /// </summary>
    public const int BuiltKernelOverheadMiB = 32;

    /// <summary>The apps' share when the pod gives no Memory=.</summary>
    public const int DefaultAppMemoryMiB = 128;

    // A booting VM under TCG takes seconds, more on a loaded machine, before its apps run.
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);

    // microvm offers 24 virtio-mmio slots; the serial device takes one (and the network device one more).
    private const int MaxShares = 23;

    private readonly SemaphoreSlim preparing = new(1, 1);
    private readonly AcceleratorProbe probe = new(cacheDirectory, options.QemuPath, options.KvmProbeTimeout, logger);
    private KvmMachine? machine;

    /// <summary>The supervisor, which also relays <c>fleetpods enter</c> into a pod's guest (<c>--enter-vm</c>).</summary>
    public string ShimPath => shimPath;

    /// <summary>The accelerator this node uses, as far as it is known without booting anything; null when a probe must decide.</summary>
    /// <exception cref="PodLaunchException">qemu or the kernel is missing.</exception>
    public KvmAccelerator? KnownAccelerator()
    {
        RequireQemu();
        if (options.KvmAccelerator != KvmAccelerator.Auto)
        {
            return options.KvmAccelerator;
        }

        return machine?.Accelerator ?? probe.Recorded(GuestKernel.Find(options.KvmKernel, options.BuiltKvmKernels));
    }

    /// <summary>Finds the kernel, builds its initramfs if needed and settles the accelerator (probing once).</summary>
    /// <exception cref="PodLaunchException">qemu, the kernel, its modules or cpio is missing.</exception>
    public async Task<KvmMachine> PrepareAsync(CancellationToken cancellationToken)
    {
        if (machine is { } ready)
        {
            return ready;
        }

        await preparing.WaitAsync(cancellationToken);
        try
        {
            if (machine is { } prepared)
            {
                return prepared;
            }

            RequireQemu();
            var kernel = GuestKernel.Find(options.KvmKernel, options.BuiltKvmKernels);
            logger.LogInformation("Stage1 kvm: guest kernel {Path} ({Release}, {Format}, {Modules})", kernel.Path, kernel.Release, kernel.Format, kernel.Modular ? "modules from /lib/modules" : "no modules");
            var initramfs = await GuestInitramfs.EnsureAsync(cacheDirectory, kernel, GuestInitramfs.DefaultInitPath, cancellationToken);
            var accelerator = options.KvmAccelerator != KvmAccelerator.Auto
                ? options.KvmAccelerator
                : await probe.ProbeAsync(kernel, initramfs, cancellationToken);
            return machine = new KvmMachine(kernel, initramfs, accelerator);
        }
        finally
        {
            preparing.Release();
        }
    }

    /// <summary>Starts the pod's VM; returns once every app runs in it, or the pod has recorded why one could not.</summary>
    /// <param name="manifest">The pod's manifest, to which its VM is added.</param>
    /// <param name="address">The pod's address on the node's bridge, or null off the default network.</param>
    public async Task<PodProcesses?> Launch(PodDirectory pod, IReadOnlyList<PodLaunchPlan> plans, PodLaunchRequest request, PodManifest manifest, PodAddress? address, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(pod);
        ArgumentNullException.ThrowIfNull(plans);
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(manifest);
        var vm = await PrepareAsync(cancellationToken);

        // Each app's root is shared where the supervisor lays its overlay (in a mount namespace of its own, which qemu
        // shares: never on the host's), or its copied tree; each volume its node directory.
        var shares = plans
            .Select((plan, i) => new FleetPodsShare($"r{i}", plan.CopiedRootfs ?? pod.AppLayers(i, plan.Name).Rootfs, ReadOnly: false) { App = plan.Name })
            .Concat(plans.SelectMany(p => p.Mounts)
                .DistinctBy(m => m.Volume, StringComparer.Ordinal)
                .Select((mount, i) => new FleetPodsShare($"v{i}", mount.Source, mount.ReadOnly) { Volume = mount.Volume }))
            .ToArray();
        var maxShares = MaxShares - (address is null ? 0 : 1);
        if (shares.Length > maxShares)
        {
            throw new PodLaunchException($"stage1 kvm shares at most {maxShares} app roots and volumes with its VM{(address is null ? "" : " on the default network")}; this pod has {shares.Length}");
        }

        var qemu = QemuCommandLine.Machine(options.QemuPath, vm.Accelerator, vm.Kernel, vm.Initramfs, MemoryMiB(request, vm.Kernel), Cpus(request), $"{QemuCommandLine.Marker}={request.PodId}");
        QemuCommandLine.AddPodDevices(qemu, shares);
        var network = manifest.Fleetpods.Network;
        if (address is not null)
        {
            // The VM's end on the bridge is a tap the supervisor makes (Native/network.c), not a veth pair.
            network = network with { IpTool = null, Veth = null, Tap = address.Tap, Mac = address.Mac };
            QemuCommandLine.AddNetworkDevice(qemu, address.Mac);
        }

        var withMachine = manifest with { Fleetpods = manifest.Fleetpods with { Network = network, Kvm = new FleetPodsMachine([.. qemu], shares) } };
        return await PodSupervisor.LaunchAsync(shimPath, pod, withMachine, StartTimeout, cancellationToken);
    }

    /// <summary>The VM's memory: the pod's Memory= (or a default) and the fixed overhead of its kernel and init.</summary>
    public static int MemoryMiB(PodLaunchRequest request, GuestKernel kernel)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(kernel);
        var apps = request.MemoryBytes is { } bytes ? (int)Math.Ceiling(bytes / (double)(1 << 20)) : DefaultAppMemoryMiB;
        return apps + (kernel.Modular ? ModularKernelOverheadMiB : BuiltKernelOverheadMiB);
    }

    /// <summary>CPU= as whole vCPUs, at least one; no more than the node has, which would only make the guest wait.</summary>
    public static int Cpus(PodLaunchRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var wanted = request.CpuMillis is { } millis ? (int)Math.Ceiling(millis / 1000.0) : 1;
        return Math.Clamp(wanted, 1, Environment.ProcessorCount);
    }

    public void Dispose() => preparing.Dispose();

    private void RequireQemu()
    {
        if (!File.Exists(options.QemuPath))
        {
            throw new PodLaunchException($"stage1 kvm needs {options.QemuPath} (apt install qemu-system-x86)");
        }
    }

    /// <summary>Tells the pod's supervisor the grace period before it asks the guest to stop (see Native/kvm.c).</summary>
    public static void WriteStopRequest(PodDirectory pod, TimeSpan grace)
    {
        ArgumentNullException.ThrowIfNull(pod);
        var temporary = Path.Combine(pod.Root, ".stop.tmp");
        File.WriteAllText(temporary, ((long)grace.TotalMilliseconds).ToString(CultureInfo.InvariantCulture) + "\n");
        File.Move(temporary, Path.Combine(pod.Root, "stop"), overwrite: true);
    }
}
