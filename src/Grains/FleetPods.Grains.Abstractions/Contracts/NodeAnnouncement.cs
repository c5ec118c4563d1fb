namespace FleetPods.Grains;

/// <summary>What a node agent tells its node grain when its daemon starts.</summary>
[GenerateSerializer, Immutable]
public sealed record NodeAnnouncement(
    [property: Id(0)] string Address,
    [property: Id(1)] IReadOnlyDictionary<string, string> Metadata,
    [property: Id(2)] ResourceRequest Capacity,
    [property: Id(3)] IReadOnlyList<string> Stage1Flavors)
{
    /// <summary>What the node's stage1 kvm pods boot on: <c>kvm</c>, <c>tcg</c>, <c>auto</c> until the first kvm pod has probed it, or empty without kvm.</summary>
    [Id(4)]
    public string KvmAccelerator { get; init; } = "";
}
