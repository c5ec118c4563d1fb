namespace FleetPods.Grains;

/// <summary>What a node agent tells its node grain when its daemon starts.</summary>
[GenerateSerializer, Immutable]
public sealed record NodeAnnouncement(
    [property: Id(0)] string Address,
    [property: Id(1)] IReadOnlyDictionary<string, string> Metadata,
    [property: Id(2)] ResourceRequest Capacity,
    [property: Id(3)] IReadOnlyList<string> Stage1Flavors);
