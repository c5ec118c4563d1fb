namespace FleetPods.NodeRuntime;

/// <summary>Where this node keeps images and pods, and the limits it enforces.</summary>
public sealed record NodeRuntimeOptions(string DataDirectory)
{
    /// <summary>The per-pod supervisor; by default <c>fleetpods-shim</c> next to this assembly.</summary>
    public string? ShimPath { get; init; }

    /// <summary>An image archive, and the tree it expands to, may not exceed this (default 16 GiB).</summary>
    public long MaxImageSizeBytes { get; init; } = 16L << 30;

    /// <summary>The first wait before a failed download is retried; it doubles with every retry.</summary>
    public TimeSpan FetchRetryDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Where this machine's runtimes lease what pods may not share: addresses, user id ranges, host ports. One per
    /// machine (default <c>/run/fleetpods/leases</c>), whatever the data directory.
    /// </summary>
    public string LeaseDirectory { get; init; } = "/run/fleetpods/leases";

    /// <summary>The most processes (tasks) one pod may have, its cgroup's pids limit (default 4096).</summary>
    public int PodPidsLimit { get; init; } = 4096;

    /// <summary>
    /// Stage1 <c>kvm</c>'s guest kernel; by default the newest one built in <see cref="BuiltKvmKernels"/>, else the
    /// newest <c>/boot/vmlinuz-*</c>.
    /// </summary>
    public string? KvmKernel { get; init; }

    /// <summary>Where deploy/build-guest-kernel.sh keeps the guest kernels it built (default <c>/var/cache/fleetpods/guest-kernel</c>).</summary>
    public string BuiltKvmKernels { get; init; } = Kvm.BuiltGuestKernels.DefaultDirectory;

    /// <summary>Stage1 <c>kvm</c>'s accelerator (default: probe once, KVM if it boots the guest, else TCG).</summary>
    public KvmAccelerator KvmAccelerator { get; init; } = KvmAccelerator.Auto;

    /// <summary>The hypervisor of stage1 <c>kvm</c> (default Debian's <c>/usr/bin/qemu-system-x86_64</c>).</summary>
    public string QemuPath { get; init; } = "/usr/bin/qemu-system-x86_64";

    /// <summary>How long the accelerator probe lets KVM boot the guest before it settles for TCG.</summary>
    public TimeSpan KvmProbeTimeout { get; init; } = TimeSpan.FromSeconds(5);
}
