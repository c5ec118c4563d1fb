using FleetPods.NodeRuntime.Pods;

namespace FleetPods.NodeRuntime.Flavors;

/// <summary>What the runtime hands a stage1 flavor to launch: the pod's directory, its apps' rendered plans, the request and what the node leased for it.</summary>
/// <param name="Console">The first app's console, or null for none.</param>
internal sealed record Stage1Launch(
    PodDirectory Pod,
    IReadOnlyList<PodLaunchPlan> Plans,
    PodLaunchRequest Request,
    PodIsolation Isolation,
    PodConsoleRelay? Console);
