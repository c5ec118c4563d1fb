namespace FleetPods.Grains.Scheduling;

/// <summary>The ranked nodes to try, and every rejected node counted under its reason.</summary>
public sealed record PlacementPlan(IReadOnlyList<NodeInfo> Candidates, IReadOnlyDictionary<string, int> Rejections, int NodeCount)
{
    /// <summary>Why no node took the pod, e.g. "no node fits among 3 nodes: 2 lack 2 GiB free memory, 1 unreachable".</summary>
    public string ExplainNoFit()
    {
        if (NodeCount == 0)
        {
            return "no node has joined the cluster";
        }

        var reasons = Rejections.OrderByDescending(r => r.Value).ThenBy(r => r.Key, StringComparer.Ordinal)
            .Select(r => $"{r.Value} {r.Key}");
        return $"no node fits among {NodeCount} node{(NodeCount == 1 ? "" : "s")}: {string.Join(", ", reasons)}";
    }
}
