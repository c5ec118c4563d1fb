namespace FleetPods.Grains;

/// <summary>One pod as a node's runtime knows it: running, or ended and not yet removed.</summary>
/// <param name="At">When the runtime observed <paramref name="Phase"/>.</param>
[GenerateSerializer, Immutable]
public sealed record RuntimePod(
    [property: Id(0)] string PodId,
    [property: Id(1)] PodPhase Phase,
    [property: Id(2)] int? ExitCode,
    [property: Id(3)] string? Reason,
    [property: Id(4)] DateTimeOffset At)
{
    /// <summary>The node's memory cgroup killed one of the pod's processes.</summary>
    [Id(5)]
    public bool OutOfMemory { get; init; }
}
