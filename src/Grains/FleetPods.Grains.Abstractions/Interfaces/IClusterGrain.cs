namespace FleetPods.Grains;

/// <summary>
/// The cluster's nodes with their liveness, as the silo that takes the call sees Orleans membership. A stateless
/// worker: it runs on the gateway a client called, so it answers while any node is dead. Any key gives the same
/// answer; use <see cref="Key"/>.
/// </summary>
public interface IClusterGrain : IGrainWithIntegerKey
{
    /// <summary>The key to call it by.</summary>
    const long Key = 0;

    /// <summary>
    /// Every node that announced itself, in ordinal order of name: up (with its current state), down, or
    /// unreachable (up in membership but silent; with its stored state). A node that is a silo is listed for good; an
    /// agent's node that went down only while <see cref="IDownNodesGrain"/> keeps it. Each node is given a few seconds at most.
    /// </summary>
    Task<IReadOnlyList<NodeStatus>> GetNodes();
}
