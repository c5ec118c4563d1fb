namespace FleetPods.Grains.Scheduling;

/// <summary>
/// The pipeline's last step: orders the nodes that fit by the load each would carry with the pod on it
/// (<see cref="NodeLoad"/>), lowest first, then by name so a placement can be replayed. Replicas of a unit
/// spread over the nodes its rules allow before any node gets a second, and nodes with fewer pods and less
/// reserved come first, as fleet put a unit on the machine with the fewest units.
/// </summary>
public static class SpreadRanking
{
    public static IReadOnlyList<NodeLoad> Rank(IReadOnlyCollection<NodeInfo> feasible, PlacementRequest request)
    {
        ArgumentNullException.ThrowIfNull(feasible);
        ArgumentNullException.ThrowIfNull(request);
        var mostPods = feasible.Count == 0 ? 0 : feasible.Max(node => node.PodCount + 1);
        return [.. feasible.Select(node => Load(node, request, mostPods)).OrderBy(load => load.Score).ThenBy(load => load.Name, StringComparer.Ordinal)];
    }

    /// <param name="mostPods">The most pods any fitting node would hold with this pod on it.</param>
    public static NodeLoad Load(NodeInfo node, PlacementRequest request, int mostPods)
    {
        ArgumentNullException.ThrowIfNull(node);
        ArgumentNullException.ThrowIfNull(request);
        var unitPods = request.UnitName is { } unit ? node.PlacedIndex.PodsOf(unit) : 0;
        var wanted = request.Resources;
        var reserved = Math.Max(
            Share(node.Reserved.MemoryBytes + wanted.MemoryBytes, node.Capacity.MemoryBytes),
            Share(node.Reserved.CpuMillis + wanted.CpuMillis, node.Capacity.CpuMillis));
        return new NodeLoad(node, request.UnitName, unitPods, node.PodCount + 1, Math.Max(mostPods, 1), reserved);
    }

    private static double Share(double used, double capacity) => capacity <= 0 ? 0 : Math.Clamp(used / capacity, 0, 1);
}
