namespace FleetPods.NodeRuntime.Pods;

/// <summary>A pod's end as its supervisor recorded it.</summary>
/// <param name="OutOfMemory">The pod's memory cgroup killed one of its processes.</param>
internal sealed record PodEnd(PodPhase Phase, int? Code, string? Reason, bool OutOfMemory);
