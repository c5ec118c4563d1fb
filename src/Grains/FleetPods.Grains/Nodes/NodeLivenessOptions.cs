namespace FleetPods.Grains.Nodes;

/// <summary>
/// How a server paces its agents' heartbeats, when an agent's node is declared down, and how long it is listed so
/// (Orleans options: <c>Configure&lt;NodeLivenessOptions&gt;</c>). A server answers each beat with the period until the
/// next: <see cref="MinHeartbeatPeriod"/>, or longer once its agents would beat more than
/// <see cref="MaxHeartbeatsPerSecond"/>, stretched by up to a quarter at random; a node is down when no beat came for
/// the period it was told plus <see cref="HeartbeatGrace"/>. The arithmetic is <see cref="HeartbeatPacing"/>'s.
/// </summary>
public sealed class NodeLivenessOptions
{
    /// <summary>
    /// The shortest period between an agent's beats, which a server under <see cref="MaxHeartbeatsPerSecond"/> agents a
    /// second tells: 2 s, as agents beat before they were paced, so a small cluster notices a dead node as fast.
    /// </summary>
    public TimeSpan MinHeartbeatPeriod { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// The most beats a second one server takes from the agents its node grains hold: past MinHeartbeatPeriod ×
    /// this many agents (1,000), the period grows with them. 500: at 10,000 agents on one server, beats cost a
    /// tenth of what 2-s beats cost (about 2% of its calls at 2,000 placements a second), and a dead node is
    /// still noticed within about half a minute.
    /// </summary>
    public int MaxHeartbeatsPerSecond { get; set; } = 500;

    /// <summary>
    /// How long past the period it was told a node grain waits for a beat before it declares the node down, so a slow
    /// server or one beat lost does not take a healthy node's pods. It must exceed an agent's wait for a lost beat's
    /// answer plus its wait to try again (fleetpodsd: 4 s + 2 s). 8 s: a small cluster's node is down 10–10.5 s after
    /// its last beat, as it was with 2-s beats and a 10-s timeout.
    /// </summary>
    public TimeSpan HeartbeatGrace { get; set; } = TimeSpan.FromSeconds(8);

    /// <summary>How long a down node is listed (<see cref="IDownNodesGrain"/>) before it is forgotten.</summary>
    public TimeSpan DownNodeRetention { get; set; } = TimeSpan.FromHours(24);

    /// <summary>The most down nodes listed; past it the oldest are forgotten first.</summary>
    public int MaxDownNodes { get; set; } = 1000;
}
