namespace FleetPods.Grains.Nodes;

/// <summary>When an agent's node is declared down, and how long it is listed so (Orleans options: <c>Configure&lt;NodeLivenessOptions&gt;</c>).</summary>
public sealed class NodeLivenessOptions
{
    /// <summary>
    /// How long a node grain waits for its agent's heartbeat (or, after activating, for its first attach) before it
    /// declares the node down. fleetpodsd's agents beat every 2 s, so five beats in a row must be missed.
    /// </summary>
    public TimeSpan HeartbeatTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long a down node is listed (<see cref="IDownNodesGrain"/>) before it is forgotten.</summary>
    public TimeSpan DownNodeRetention { get; set; } = TimeSpan.FromHours(24);

    /// <summary>The most down nodes listed; past it the oldest are forgotten first.</summary>
    public int MaxDownNodes { get; set; } = 1000;
}
