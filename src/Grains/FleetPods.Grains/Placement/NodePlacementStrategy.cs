namespace FleetPods.Grains.Placement;

/// <summary>
/// Places a grain keyed by a node name on the silo that carries that name. Orleans' own
/// <c>SiloRoleBasedPlacement</c> keys on the entry assembly name, which every fleetpodsd shares.
/// </summary>
[GenerateSerializer, Immutable]
public sealed class NodePlacementStrategy : PlacementStrategy
{
    internal static NodePlacementStrategy Instance { get; } = new();
}
