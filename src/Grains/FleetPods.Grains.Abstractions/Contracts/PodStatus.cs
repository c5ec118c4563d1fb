namespace FleetPods.Grains;

/// <summary>What is known of one pod.</summary>
/// <param name="NodeName">The node it was placed on, or null while pending.</param>
/// <param name="ExitCode">The app's exit code once <see cref="PodPhase.Exited"/>.</param>
/// <param name="Reason">Why it failed, or why it is still pending.</param>
[GenerateSerializer, Immutable]
public sealed record PodStatus(
    [property: Id(0)] string Id,
    [property: Id(1)] string? UnitName,
    [property: Id(2)] string Image,
    [property: Id(3)] PodPhase Phase,
    [property: Id(4)] string? NodeName,
    [property: Id(5)] int? ExitCode,
    [property: Id(6)] string? Reason,
    [property: Id(7)] DateTimeOffset CreatedAt,
    [property: Id(8)] DateTimeOffset? StartedAt,
    [property: Id(9)] DateTimeOffset? FinishedAt)
{
    /// <summary>True once the pod has exited or failed; nothing about it changes after that.</summary>
    public bool HasEnded => Phase is PodPhase.Exited or PodPhase.Failed;

    /// <summary>
    /// True when the pod <see cref="PodPhase.Failed"/> because it was lost: its node left the cluster, or its node
    /// reported that it does not run it. A lost pod is replaced, never restarted in place.
    /// </summary>
    [Id(10)]
    public bool IsLost { get; init; }

    /// <summary>Why the pod ended (<see cref="PodEndCause.None"/> while it has not), to decide on where its reason is for people.</summary>
    [Id(11)]
    public PodEndCause EndCause { get; init; }
}
