namespace FleetPods.NodeRuntime.Pods;

/// <summary>How a pod is isolated, with what was made and leased for it before its launch.</summary>
/// <param name="Address">The pod's address on the bridge (default network only).</param>
/// <param name="Cgroups">The pod's cgroup directories, one per hierarchy.</param>
/// <param name="OomEvents">The file whose oom_kill counter tells the supervisor the pod ran out of memory.</param>
/// <param name="UidBase">The first host id of the pod's user namespace, or null without one.</param>
internal sealed record PodIsolation(
    Stage1Flavor Stage1,
    PodNetworkMode Network,
    PodAddress? Address,
    IReadOnlyList<string> Cgroups,
    string? OomEvents,
    long? UidBase);
