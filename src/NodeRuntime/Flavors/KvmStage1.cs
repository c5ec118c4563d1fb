using FleetPods.NodeRuntime.Kvm;
using FleetPods.NodeRuntime.Manifest;
using FleetPods.NodeRuntime.Pods;
using Microsoft.Extensions.Logging;
using Tmds.Linux;

namespace FleetPods.NodeRuntime.Flavors;

/// <summary>
/// Stage1 <c>kvm</c>: the whole pod in a qemu microVM with its own kernel, under the same supervisor as the other
/// flavors; its apps are not processes of the node, so they are stopped through the guest's init, and entered through
/// it: the command runs in the guest, and the node runs only a relay to it (<c>fleetpods-shim --enter-vm</c>).
/// </summary>
internal sealed class KvmStage1(KvmLauncher kvm, ILogger logger) : IStage1
{
    // What a guest may take beyond the grace period to report its apps' ends and power off.
    private static readonly TimeSpan StopMargin = TimeSpan.FromSeconds(10);

    public Stage1Flavor Flavor => Stage1Flavor.Kvm;

    public PodNetworkMode DefaultNetwork => PodNetworkMode.Default;

    // Memory= and CPU= size the VM: a quota on qemu would only slow the guest's own scheduling.
    public bool LimitsInNodeCgroups => false;

    public string? Refuse(PodLaunchRequest request, PodNetworkMode network) => request switch
    {
        { PrivateUsers: true } => "stage1 kvm runs the pod on its own kernel, whose users are not the node's: PrivateUsers= needs stage1 ns",
        _ when network == PodNetworkMode.Host => "stage1 kvm runs the pod on its own kernel, which cannot share the node's network: --net=default or none",
        _ when request.Input || request.Terminal is not null => "stage1 kvm does not relay input or a terminal into its VM yet: they need stage1 ns or fly",
        _ => null,
    };

    public async Task<PodProcesses?> Launch(Stage1Launch launch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(launch);
        var processes = await kvm.Launch(launch.Pod, launch.Plans, launch.Request, PodManifest.For(launch), launch.Isolation.Address, cancellationToken);
        var boot = Path.Combine(launch.Pod.Root, "boot");
        if (processes is not null && File.Exists(boot))
        {
            logger.LogInformation("Pod {PodId}: its VM ran its apps {Milliseconds} ms after qemu started", launch.Request.PodId, File.ReadAllText(boot).Trim());
        }

        return processes;
    }

    /// <summary>
    /// The guest's init stops the apps (SIGTERM, the grace period, SIGKILL) and powers off; a zero grace (<c>--force</c>),
    /// or a guest that does not end in time, kills the hypervisor, which ends the pod with 128+9.
    /// </summary>
    public async Task<PodStateChange> Stop(PodDirectory pod, PodProcesses processes, TimeSpan grace, Task<PodStateChange> ended, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(processes);
        ArgumentNullException.ThrowIfNull(ended);
        if (grace > TimeSpan.Zero)
        {
            KvmLauncher.WriteStopRequest(pod, grace);
            processes.SignalSupervisor(pod, LibC.SIGTERM);
            try
            {
                return await ended.WaitAsync(grace + StopMargin, cancellationToken);
            }
            catch (TimeoutException)
            {
                // The guest did not power off: it is killed below like a forced stop.
            }
        }

        processes.SignalApp(LibC.SIGKILL);
        return await ended.WaitAsync(PodRuntime.KillWait, cancellationToken);
    }

    /// <summary>
    /// A relay to the pod's supervisor, which multiplexes sessions onto the guest's enter port: the guest's init runs the
    /// command in the app's root, as the app's user, with its environment (see Native/enter-vm.c). The node's cgroups
    /// hold only qemu; the command is inside the VM's.
    /// </summary>
    public IReadOnlyList<string> EnterCommand(PodDirectory pod, string podId, PodProcesses processes, string app, bool severalApps, IReadOnlyList<string> cgroups)
    {
        ArgumentNullException.ThrowIfNull(pod);
        return [kvm.ShimPath, "--enter-vm", pod.Root, "--app", app];
    }
}
