using FleetPods.Grains.Nodes;

namespace FleetPods.Grains.Pods;

/// <summary>
/// A pod asked for the room it holds on its node, for a node grain that lost its reservations (they are not stored)
/// while the pod's grain stayed active, so the pod did not claim them as it activated.
/// </summary>
internal interface IPodClaimant : IGrainWithStringKey
{
    /// <summary>
    /// The room the pod holds on <paramref name="node"/>: null unless it is placed there and has not ended. Asked by a
    /// node that finds the pod on its machine but holds no room for it.
    /// </summary>
    Task<PodClaim?> ClaimOn(string node);

    /// <summary>
    /// Claims the pod's room on its node again, if it is placed and has not ended (<see cref="INodeClaims.Claim"/>).
    /// Asked of every pod after a server died (<see cref="Cluster.PodClaimRenewal"/>): a node grain that lived there
    /// lost its reservations, and if its agent died too, no attach or round will ever tell it of its pods.
    /// </summary>
    Task Reclaim();
}
