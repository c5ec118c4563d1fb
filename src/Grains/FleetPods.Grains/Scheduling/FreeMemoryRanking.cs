namespace FleetPods.Grains.Scheduling;

/// <summary>Orders feasible nodes by most free memory first; ties by name so a placement can be replayed.</summary>
public static class FreeMemoryRanking
{
    public static IReadOnlyList<NodeInfo> Rank(IEnumerable<NodeInfo> feasible) =>
        [.. feasible.OrderByDescending(node => node.FreeMemoryBytes).ThenBy(node => node.Name, StringComparer.Ordinal)];
}
