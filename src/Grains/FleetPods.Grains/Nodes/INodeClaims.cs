namespace FleetPods.Grains.Nodes;

/// <summary>
/// A node's reservations are not stored: they are rebuilt, after its grain lost them (a server restart), from its pods,
/// each of which claims its room again as its grain activates. Internal: only a pod grain speaks for a pod.
/// </summary>
internal interface INodeClaims : IGrainWithStringKey
{
    /// <summary>
    /// Holds the pod's room, if not held already; a node that was declared down marks the pod lost instead, so a pod
    /// of a node that died while no server ran is lost all the same. One-way: an activating pod does not wait on it.
    /// </summary>
    [Orleans.Concurrency.OneWay]
    Task Claim(PodClaim claim);
}
