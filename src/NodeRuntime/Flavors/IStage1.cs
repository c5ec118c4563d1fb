using FleetPods.NodeRuntime.Pods;

namespace FleetPods.NodeRuntime.Flavors;

/// <summary>
/// One stage1 flavor, as rkt's stage0 saw each: what it can run, how it launches a prepared pod, stops it and enters it.
/// <see cref="PodRuntime"/> keeps the pod's lifecycle (images, roots, leases, cgroups, watching, recovery) and hands
/// each flavor the same bundle (<see cref="Stage1Launch"/>); whatever differs between ns, fly and kvm lives in the
/// flavor's own type, never in a switch on <see cref="Stage1Flavor"/> elsewhere.
/// </summary>
internal interface IStage1
{
    Stage1Flavor Flavor { get; }

    /// <summary>The network a pod gets when its request names none.</summary>
    PodNetworkMode DefaultNetwork { get; }

    /// <summary>Whether the node's cgroups limit the pod's memory and CPU; a VM is sized by them instead.</summary>
    bool LimitsInNodeCgroups { get; }

    /// <summary>Why this flavor cannot run <paramref name="request"/> on <paramref name="network"/>, or null when it can.</summary>
    string? Refuse(PodLaunchRequest request, PodNetworkMode network);

    /// <summary>Starts the prepared pod; returns once its apps run, or null (or with a failure recorded) when they could not.</summary>
    Task<PodProcesses?> Launch(Stage1Launch launch, CancellationToken cancellationToken);

    /// <summary>Stops the running pod within about <paramref name="grace"/> and returns its end, which <paramref name="ended"/> completes with.</summary>
    Task<PodStateChange> Stop(PodDirectory pod, PodProcesses processes, TimeSpan grace, Task<PodStateChange> ended, CancellationToken cancellationToken);

    /// <summary>The supervisor's command line that runs a command in <paramref name="app"/> of the running pod (append <c>--</c> and the command).</summary>
    /// <param name="severalApps">Whether the pod has more apps than one (then each is a child of the pod's own init).</param>
    /// <exception cref="PodLaunchException">The flavor's apps cannot be entered from the node, or the app does not run.</exception>
    IReadOnlyList<string> EnterCommand(PodDirectory pod, string podId, PodProcesses processes, string app, bool severalApps, IReadOnlyList<string> cgroups);
}
