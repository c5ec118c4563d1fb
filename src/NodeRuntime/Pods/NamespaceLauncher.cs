using FleetPods.NodeRuntime.Manifest;

namespace FleetPods.NodeRuntime.Pods;

/// <summary>
/// Stage1 <c>ns</c> and <c>fly</c> (<see cref="Flavors.HostProcessStage1"/>): starts a pod's supervisor, <c>fleetpods-shim</c>, which creates the pod's namespaces.
/// That cannot happen in this process: unsharing PID and mount namespaces needs a single-threaded caller, and
/// the .NET runtime is multi-threaded (and forking it is unsafe).
/// </summary>
internal sealed class NamespaceLauncher(string shimPath)
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);

    /// <summary>The supervisor binary, which also enters running apps (<c>--enter</c>).</summary>
    public string ShimPath => shimPath;

    /// <summary>Starts the pod the manifest describes and returns once its launch is decided (see <see cref="PodSupervisor.LaunchAsync"/>).</summary>
    public Task<PodProcesses?> Launch(PodDirectory pod, PodManifest manifest, CancellationToken cancellationToken) =>
        PodSupervisor.LaunchAsync(shimPath, pod, manifest, StartTimeout, cancellationToken);
}
