using FleetPods.Grains.UnitFiles;

namespace FleetPods.Grains;

/// <summary>What placing one pod must respect: its resources, its stage1 flavor and its unit's <c>[X-Fleet]</c> rules.</summary>
/// <param name="UnitName">The pod's unit, or null for a one-off pod.</param>
/// <param name="Fleet">The unit's <c>[X-Fleet]</c> section, specifiers expanded.</param>
/// <param name="RequiredNode">A node the pod must run on beyond <c>MachineID=</c> (a global unit's node, a restart's own node), or null.</param>
[GenerateSerializer, Immutable]
public sealed record PlacementRequest(
    [property: Id(0)] string PodId,
    [property: Id(1)] string? UnitName,
    [property: Id(2)] ResourceRequest Resources,
    [property: Id(3)] FleetSection Fleet,
    [property: Id(4)] string? RequiredNode)
{
    /// <summary>The pod's stage1 flavor: only a node that offers it may take the pod.</summary>
    [Id(5)]
    public Stage1Flavor Stage1 { get; init; } = Stage1Flavor.Ns;

    /// <summary>No <c>[X-Fleet]</c> rule at all, as a one-off pod has.</summary>
    public static FleetSection NoRules { get; } = new(null, null, [], [], false, null);

    /// <summary>This pod as a reservation entry on its node.</summary>
    public PlacedPod AsPlaced() => new(PodId, UnitName, Fleet.Conflicts);
}
