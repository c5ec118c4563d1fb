using Orleans.Placement;

namespace FleetPods.Grains.Placement;

/// <summary>Marks a grain class whose string key is a node name as living on that node's own silo.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
public sealed class NodePlacementAttribute() : PlacementAttribute(NodePlacementStrategy.Instance);
