namespace FleetPods.Grains.Scheduling;

/// <summary><c>MachineID=</c>: only the node of that name (fleet named machines by machine id; we by node name).</summary>
public sealed class MachineIdFilter : INodeFilter
{
    public string? Reject(NodeInfo node, PlacementRequest request)
    {
        ArgumentNullException.ThrowIfNull(node);
        ArgumentNullException.ThrowIfNull(request);
        return request.Fleet.MachineId is { } id && node.Name != id ? $"not MachineID={id}" : null;
    }
}
