namespace FleetPods.Grains.Scheduling;

/// <summary>One feasibility check of the placement pipeline; a node it rejects is counted under its reason.</summary>
public interface INodeFilter
{
    /// <summary>Null when the node can take the pod, else why not (e.g. "lack 2 GiB free memory").</summary>
    string? Reject(NodeInfo node, PlacementRequest request);
}
