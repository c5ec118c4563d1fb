namespace FleetPods.Grains.Scheduling;

/// <summary>
/// Orders feasible nodes to spread load by free resources, not by pod count: each node scores the share of
/// its memory plus the share of its CPU that would still be free with the pod on it, highest first. A node
/// with half its memory and all its CPU free (1.5) beats one with everything free but half the size only if
/// its shares are higher. Ties (pods that ask for no memory or CPU leave every score as it was) go to the
/// node with fewer pods, then by name so a placement can be replayed.
/// </summary>
public static class SpreadRanking
{
    public static IReadOnlyList<NodeInfo> Rank(IEnumerable<NodeInfo> feasible, ResourceRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return [.. feasible.OrderByDescending(node => Score(node, request)).ThenBy(node => node.PodCount).ThenBy(node => node.Name, StringComparer.Ordinal)];
    }

    public static double Score(NodeInfo node, ResourceRequest request)
    {
        ArgumentNullException.ThrowIfNull(node);
        ArgumentNullException.ThrowIfNull(request);
        return Share(node.FreeMemoryBytes - request.MemoryBytes, node.Capacity.MemoryBytes)
            + Share(node.FreeCpuMillis - request.CpuMillis, node.Capacity.CpuMillis);
    }

    private static double Share(double free, double capacity) => capacity <= 0 ? 0 : Math.Max(0, free) / capacity;
}
