namespace FleetPods.Grains.Scheduling;

/// <summary>A pod bound to one node by the unit itself: a global unit's pod for that node, or a restart on its own node.</summary>
public sealed class RequiredNodeFilter : INodeFilter
{
    public string? Reject(NodeInfo node, PlacementRequest request)
    {
        ArgumentNullException.ThrowIfNull(node);
        ArgumentNullException.ThrowIfNull(request);
        return request.RequiredNode is { } required && node.Name != required ? $"not node {required}" : null;
    }
}
