namespace FleetPods.Grains.Scheduling;

/// <summary>
/// Placement as a chain of small steps, as Nomad's scheduler builds it: filter nodes (cheap checks first),
/// then rank the ones that fit. The node grain, not this pipeline, decides whether a reservation holds.
/// </summary>
public sealed class PlacementPipeline(IReadOnlyList<INodeFilter> filters)
{
    /// <summary>The pipeline of this issue: resources must fit; most free memory first.</summary>
    public static PlacementPipeline Default { get; } = new([new ResourceFitFilter()]);

    /// <param name="nodes">Every node known, with null info for nodes that could not be asked.</param>
    public PlacementPlan Plan(IReadOnlyList<(string Name, NodeInfo? Info)> nodes, ResourceRequest request)
    {
        ArgumentNullException.ThrowIfNull(nodes);
        var rejections = new Dictionary<string, int>(StringComparer.Ordinal);
        var feasible = new List<NodeInfo>();
        foreach (var (_, info) in nodes)
        {
            var reason = info is null ? "unreachable" : filters.Select(f => f.Reject(info, request)).FirstOrDefault(r => r is not null);
            if (reason is null)
            {
                feasible.Add(info!);
            }
            else
            {
                rejections[reason] = rejections.GetValueOrDefault(reason) + 1;
            }
        }

        return new PlacementPlan(FreeMemoryRanking.Rank(feasible), rejections, nodes.Count);
    }
}
