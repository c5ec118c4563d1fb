namespace FleetPods.NodeRuntime;

/// <summary>One observed change of a pod's phase; <see cref="ExitCode"/> is set when it exited, <see cref="Reason"/> when it failed.</summary>
public sealed record PodStateChange(string PodId, PodPhase Phase, int? ExitCode, string? Reason, DateTimeOffset At)
{
    public bool HasEnded => Phase is PodPhase.Exited or PodPhase.Failed;
}
