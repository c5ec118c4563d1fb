using FleetPods.Grains.Nodes;

namespace FleetPods.Grains.Pods;

/// <summary>
/// Asked by a node that finds a pod placed on it, which its machine runs, but holds no room for it (its grain lost its
/// reservations, and the pod's grain was active meanwhile, so it did not claim them as it activated).
/// </summary>
internal interface IPodClaimant : IGrainWithStringKey
{
    /// <summary>The room the pod holds on <paramref name="node"/>: null unless it is placed there and has not ended.</summary>
    Task<PodClaim?> ClaimOn(string node);
}
