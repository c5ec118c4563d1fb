namespace FleetPods.Grains.Nodes;

/// <summary>A node as its grain stores it: read by the node grain itself, and by <c>ClusterGrain</c> for a node whose silo is gone.</summary>
internal static class StoredNode
{
    /// <summary>The name the node grain's state is stored under.</summary>
    public const string StateName = "node";

    /// <summary>
    /// The node as last announced, or null if it never announced, with the reservations its grain holds; storage holds
    /// none (they are rebuilt from the pods), so a node read from storage shows none.
    /// </summary>
    public static NodeInfo? Describe(string name, NodeState state)
    {
        if (state.Announcement is not { } announced)
        {
            return null;
        }

        var reserved = state.Reservations.Values;
        return new NodeInfo(
            name,
            announced.Address,
            announced.Metadata,
            announced.Capacity,
            new ResourceRequest(reserved.Sum(r => r.MemoryBytes), reserved.Sum(r => r.CpuMillis)),
            state.Reservations.Count,
            announced.Stage1Flavors ?? [],
            state.AnnouncedAt)
        {
            Pods = [.. state.Pods.Values],
            KvmAccelerator = announced.KvmAccelerator,
        };
    }
}
