namespace FleetPods.Grains;

/// <summary>
/// A node grain's answer to <see cref="INodeGrain.Heartbeat"/>: whether it took the beat, and when the agent is to beat
/// next. The server paces its agents' beats by their number, so a large cluster's beats stay under its rate.
/// </summary>
/// <param name="Accepted">False when the grain holds no agent of that session: the agent then attaches again at once.</param>
/// <param name="NextBeat">How long the agent waits before its next beat (zero when the beat was refused).</param>
[GenerateSerializer, Immutable]
public sealed record HeartbeatAnswer(
    [property: Id(0)] bool Accepted,
    [property: Id(1)] TimeSpan NextBeat)
{
    /// <summary>The answer to a beat whose session the grain does not hold.</summary>
    public static HeartbeatAnswer Refused { get; } = new(false, TimeSpan.Zero);
}
