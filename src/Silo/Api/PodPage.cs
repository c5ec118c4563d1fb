using FleetPods.Grains;

namespace FleetPods.Silo.Api;

/// <summary>One page of a pod listing (<see cref="PodListing"/>).</summary>
/// <param name="Pods">At most the page's limit of pods, in id order.</param>
/// <param name="Next">The last id of this page when more pods may follow it (the next page starts after it), else null.</param>
public sealed record PodPage(IReadOnlyList<PodStatus> Pods, string? Next);
