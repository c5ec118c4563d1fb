namespace FleetPods.Grains.Nodes;

/// <summary>
/// The period a server tells an agent to wait before its next beat, and how long after it a node grain waits before it
/// declares the node down. The period is the longer of <see cref="NodeLivenessOptions.MinHeartbeatPeriod"/> and the
/// live agents over <see cref="NodeLivenessOptions.MaxHeartbeatsPerSecond"/>, stretched by up to <see cref="Jitter"/>
/// at random so agents that attached together drift apart.
/// </summary>
internal sealed class HeartbeatPacing
{
    /// <summary>
    /// The most a period is stretched. Only ever stretched, never shortened: the beats stay under the rate and the
    /// period never falls below the minimum, whatever the draw.
    /// </summary>
    public const double Jitter = 0.25;

    private readonly TimeSpan minPeriod;
    private readonly int maxRate;
    private readonly TimeSpan grace;

    /// <exception cref="ArgumentException">An option is out of range; the message names it.</exception>
    public HeartbeatPacing(NodeLivenessOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        (minPeriod, maxRate, grace) = (options.MinHeartbeatPeriod, options.MaxHeartbeatsPerSecond, options.HeartbeatGrace);
        if (minPeriod <= TimeSpan.Zero || minPeriod > TimeSpan.FromHours(1))
        {
            throw new ArgumentException($"NodeLivenessOptions.MinHeartbeatPeriod {minPeriod} must be more than 0 and at most 1 hour", nameof(options));
        }

        if (maxRate < 1)
        {
            throw new ArgumentException($"NodeLivenessOptions.MaxHeartbeatsPerSecond {maxRate} must be 1 or more", nameof(options));
        }

        if (grace <= TimeSpan.Zero || grace > TimeSpan.FromHours(1))
        {
            throw new ArgumentException($"NodeLivenessOptions.HeartbeatGrace {grace} must be more than 0 and at most 1 hour", nameof(options));
        }
    }

    /// <summary>The shortest period told, which is also the wait before a down node's next look at its pods.</summary>
    public TimeSpan MinPeriod => minPeriod;

    /// <summary>The period before jitter for <paramref name="liveAgents"/> agents beating on one server.</summary>
    public TimeSpan Base(int liveAgents) =>
        TimeSpan.FromSeconds(Math.Max(0, liveAgents) / (double)maxRate) is var paced && paced > minPeriod ? paced : minPeriod;

    /// <summary>The period to tell an agent, <paramref name="draw"/> (from [0, 1]) picking where in the jitter it falls.</summary>
    public TimeSpan Period(int liveAgents, double draw) => Base(liveAgents) * (1 + Jitter * Math.Clamp(draw, 0, 1));

    /// <summary>The longest period an agent may have been told at <paramref name="liveAgents"/>.</summary>
    public TimeSpan Longest(int liveAgents) => Period(liveAgents, 1);

    /// <summary>How long after a beat (or attach) answered with <paramref name="told"/> the node is declared down without another.</summary>
    public TimeSpan Deadline(TimeSpan told) => told + grace;
}
