namespace FleetPods.Grains.Nodes;

[GenerateSerializer]
public sealed class NodeState
{
    [Id(0)]
    public NodeAnnouncement? Announcement { get; set; }

    [Id(1)]
    public DateTimeOffset AnnouncedAt { get; set; }

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
