namespace FleetPods.Grains.Placement;

/// <summary>Places a node grain on its node's own silo, or on any server for an agent's node (<see cref="NodeGrainPlacementDirector"/>).</summary>
[GenerateSerializer, Immutable]
public sealed class NodeGrainPlacementStrategy : PlacementStrategy
{
    internal static NodeGrainPlacementStrategy Instance { get; } = new();
}
