namespace FleetPods.NodeRuntime;

/// <summary>One observed change of a pod's phase; <see cref="ExitCode"/> is set when it exited, <see cref="Reason"/> when it failed.</summary>
public sealed record PodStateChange(string PodId, PodPhase Phase, int? ExitCode, string? Reason, DateTimeOffset At)
{
    /// <summary>The pod's memory cgroup killed one of its processes (the node's OOM killer, at its <c>Memory=</c>).</summary>
    public bool OutOfMemory { get; init; }

    public bool HasEnded => Phase is PodPhase.Exited or PodPhase.Failed;
}
