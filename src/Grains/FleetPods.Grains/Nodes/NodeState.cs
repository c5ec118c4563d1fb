namespace FleetPods.Grains.Nodes;

[GenerateSerializer]
public sealed class NodeState
{
    [Id(0)]
    public NodeAnnouncement? Announcement { get; set; }

    [Id(1)]
    public DateTimeOffset AnnouncedAt { get; set; }

    /// <summary>The pods placed on the node, by id. Held by its grain, not stored (a former version stored them, and its rows are read as a start).</summary>
    [Id(2)]
    public Dictionary<string, ResourceRequest> Reservations { get; set; } = [];

    /// <summary>The reserved pods' units and Conflicts= globs, by pod id (the same keys as <see cref="Reservations"/>).</summary>
    [Id(3)]
    public Dictionary<string, PlacedPod> Pods { get; set; } = [];

    /// <summary>
    /// At least the longest period between beats its agent may have been told. A grain that activates without its agent
    /// (after a server restart, its agent told to beat seldom by a server that held many) waits that long, and the
    /// grace, before it declares the node down.
    /// </summary>
    [Id(4)]
    public TimeSpan LongestBeatPeriod { get; set; }

    /// <summary>A copy without the reservations, which are not stored: they are rebuilt from the pods (<see cref="INodeClaims"/>).</summary>
    public NodeState WithoutReservations() => new()
    {
        Announcement = Announcement,
        AnnouncedAt = AnnouncedAt,
        LongestBeatPeriod = LongestBeatPeriod,
    };

    /// <summary>A copy whose dictionaries are its own (their values are immutable records).</summary>
    public NodeState Copy() => new()
    {
        Announcement = Announcement,
        AnnouncedAt = AnnouncedAt,
        Reservations = new(Reservations),
        Pods = new(Pods),
        LongestBeatPeriod = LongestBeatPeriod,
    };
}
