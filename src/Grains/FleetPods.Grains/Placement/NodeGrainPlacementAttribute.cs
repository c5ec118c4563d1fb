using Orleans.Placement;

namespace FleetPods.Grains.Placement;

/// <summary>Marks the node grain class: on its node's own silo when the node is one, else on any server.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
public sealed class NodeGrainPlacementAttribute() : PlacementAttribute(NodeGrainPlacementStrategy.Instance);
