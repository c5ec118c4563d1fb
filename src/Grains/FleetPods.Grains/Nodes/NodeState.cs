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
}
