namespace FleetPods.Grains;

/// <summary>A node's report of a pod's real state, as its runtime observed it.</summary>
[GenerateSerializer, Immutable]
public sealed record PodStateReport(
    [property: Id(0)] string NodeName,
    [property: Id(1)] PodPhase Phase,
    [property: Id(2)] int? ExitCode,
    [property: Id(3)] string? Reason,
    [property: Id(4)] DateTimeOffset At)
{
    /// <summary>The node's memory cgroup killed one of the pod's processes.</summary>
    [Id(5)]
    public bool OutOfMemory { get; init; }
}
