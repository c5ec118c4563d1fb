using System.Globalization;
using FleetPods.NodeRuntime.Pods;
using Microsoft.Extensions.Logging;

namespace FleetPods.NodeRuntime.Kvm;

/// <summary>
/// Stage1 <c>kvm</c>: the whole pod inside a qemu microVM. The node's kernel, initramfs and accelerator are settled
/// once (built and probed at the first kvm pod, or by <see cref="PrepareAsync"/>); each pod then gets a qemu command
/// line, a description for the guest's init, and the same supervisor as the other flavors in its kvm mode, which runs
/// qemu as its only child (see Native/kvm.c).
/// </summary>
internal sealed class KvmLauncher(NodeRuntimeOptions options, string shimPath, string cacheDirectory, ILogger logger) : IDisposable
{
    /// <summary>What the VM has beyond its apps' Memory=: the guest kernel, its page cache and our init, as rkt allowed.</summary>
    public const int OverheadMiB = 128;

    /// <summary>The apps' share when the pod gives no Memory=.</summary>
    public const int DefaultAppMemoryMiB = 128;

    // A booting VM under TCG takes seconds, more on a loaded machine, before its apps run.
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);

    // microvm offers 24 virtio-mmio slots; the serial device takes one.
    private const int MaxShares = 23;

    private readonly SemaphoreSlim preparing = new(1, 1);
    private readonly AcceleratorProbe probe = new(cacheDirectory, options.QemuPath, options.KvmProbeTimeout, logger);
    private KvmMachine? machine;

    /// <summary>The accelerator this node uses, as far as it is known without booting anything; null when a probe must decide.</summary>
    /// <exception cref="PodLaunchException">qemu or the kernel is missing.</exception>
    public KvmAccelerator? KnownAccelerator()
    {
        RequireQemu();
        if (options.KvmAccelerator != KvmAccelerator.Auto)
        {
            return options.KvmAccelerator;
        }

        return machine?.Accelerator ?? probe.Recorded(GuestKernel.Find(options.KvmKernel));
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
            var kernel = GuestKernel.Find(options.KvmKernel);
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
    public async Task<PodProcesses?> Launch(PodDirectory pod, IReadOnlyList<PodLaunchPlan> plans, PodLaunchRequest request, IReadOnlyList<string> cgroups, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(pod);
        ArgumentNullException.ThrowIfNull(plans);
        ArgumentNullException.ThrowIfNull(request);
        var vm = await PrepareAsync(cancellationToken);
        List<string> arguments = ["--stage1", "kvm", "--pod-dir", pod.Root];
        foreach (var cgroup in cgroups)
        {
            arguments.AddRange(["--cgroup", cgroup]);
        }

        var roots = new List<GuestShare>();
        for (var i = 0; i < plans.Count; i++)
        {
            var plan = plans[i];
            var root = plan.CopiedRootfs ?? pod.AppLayers(i, plan.Name).Rootfs;
            if (plan.CopiedRootfs is null && plan.Layers is { } layers)
            {
                // Mounted by the supervisor in a mount namespace of its own, which qemu shares: never on the host's.
                arguments.AddRange(["--overlay", plan.LowerDirectory, layers.Upper, layers.Work, root]);
            }

            roots.Add(new GuestShare($"r{i}", root, ReadOnly: false));
        }

        var volumes = plans.SelectMany(p => p.Mounts)
            .GroupBy(m => m.Source, StringComparer.Ordinal)
            .Select((mounts, i) => new GuestShare($"v{i}", mounts.Key, mounts.All(m => m.ReadOnly)))
            .ToList();
        if (roots.Count + volumes.Count > MaxShares)
        {
            throw new PodLaunchException($"stage1 kvm shares at most {MaxShares} app roots and volumes with its VM; this pod has {roots.Count + volumes.Count}");
        }

        await File.WriteAllBytesAsync(Path.Combine(pod.Root, "guest"), GuestDescription.Of(plans, roots, volumes), cancellationToken);
        var qemu = QemuCommandLine.Machine(options.QemuPath, vm.Accelerator, vm.Kernel, vm.Initramfs, MemoryMiB(request), Cpus(request), $"{QemuCommandLine.Marker}={request.PodId}");
        QemuCommandLine.AddPodDevices(qemu, roots.Concat(volumes));
        foreach (var argument in qemu)
        {
            arguments.AddRange(["--vm", argument]);
        }

        return await PodSupervisor.StartAsync(shimPath, arguments, pod, StartTimeout);
    }

    /// <summary>The VM's memory: the pod's Memory= (or a default) and the fixed overhead of its kernel and init.</summary>
    public static int MemoryMiB(PodLaunchRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var apps = request.MemoryBytes is { } bytes ? (int)Math.Ceiling(bytes / (double)(1 << 20)) : DefaultAppMemoryMiB;
        return apps + OverheadMiB;
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
