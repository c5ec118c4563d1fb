using FleetPods.NodeRuntime.Manifest;
using FleetPods.NodeRuntime.Pods;
using Tmds.Linux;

namespace FleetPods.NodeRuntime.Flavors;

/// <summary>
/// The flavors whose apps are processes of the node under <c>fleetpods-shim</c> (ns and fly): launched, signalled and
/// entered the same way; the supervisor tells them apart by the manifest's stage1, and an enter by <see cref="EnterOptions"/>.
/// </summary>
internal abstract class HostProcessStage1(NamespaceLauncher launcher) : IStage1
{
    public abstract Stage1Flavor Flavor { get; }

    public abstract PodNetworkMode DefaultNetwork { get; }

    public bool LimitsInNodeCgroups => true;

    /// <summary>The supervisor's options for this flavor when it enters a running app.</summary>
    protected abstract IReadOnlyList<string> EnterOptions { get; }

    public abstract string? Refuse(PodLaunchRequest request, PodNetworkMode network);

    public Task<PodProcesses?> Launch(Stage1Launch launch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(launch);
        return launcher.Launch(launch.Pod, PodManifest.For(launch), cancellationToken);
    }

    public async Task<PodStateChange> Stop(PodDirectory pod, PodProcesses processes, TimeSpan grace, Task<PodStateChange> ended, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(processes);
        ArgumentNullException.ThrowIfNull(ended);

        // The app is pid 1 of its namespace: a SIGTERM it has no handler for is ignored, so SIGKILL ends it.
        processes.SignalApp(LibC.SIGTERM);
        try
        {
            return await ended.WaitAsync(grace, cancellationToken);
        }
        catch (TimeoutException)
        {
            processes.SignalApp(LibC.SIGKILL);
            return await ended.WaitAsync(PodRuntime.KillWait, cancellationToken);
        }
    }

    public IReadOnlyList<string> EnterCommand(PodDirectory pod, string podId, PodProcesses processes, string app, bool severalApps, IReadOnlyList<string> cgroups)
    {
        ArgumentNullException.ThrowIfNull(processes);
        ArgumentNullException.ThrowIfNull(cgroups);
        var pid = !severalApps ? processes.App : processes.AppOfSeveral(app)
            ?? throw new PodLaunchException($"app {app} of pod {podId} is not running");
        List<string> command = [launcher.ShimPath, "--enter", pid.ToString(System.Globalization.CultureInfo.InvariantCulture), .. EnterOptions];
        foreach (var cgroup in cgroups)
        {
            command.AddRange(["--cgroup", cgroup]);
        }

        return command;
    }
}
