namespace FleetPods.Grains.Scheduling;

/// <summary>
/// <c>MachineOf=</c> (and <c>Replaces=</c>): only nodes where the named unit has a pod. The scheduler grain
/// finds those nodes before the pipeline runs; with none the pod is unschedulable and never gets here.
/// </summary>
/// <param name="rule">The rule as written, for the reason (e.g. <c>MachineOf=db.pod</c>).</param>
/// <param name="nodes">The nodes where the named unit's pods are.</param>
public sealed class SameNodeAsFilter(string rule, IReadOnlySet<string> nodes) : INodeFilter
{
    public string? Reject(NodeInfo node, PlacementRequest request)
    {
        ArgumentNullException.ThrowIfNull(node);
        return nodes.Contains(node.Name) ? null : $"not where {rule} runs";
    }
}
