namespace FleetPods.Grains;

/// <summary>Chooses nodes for pods. Keyed by 0; a stateless worker, so each silo places with its own.</summary>
public interface ISchedulerGrain : IGrainWithIntegerKey
{
    /// <summary>Finds a node that meets the pod's rules and has room, and reserves it there; or says why none does.</summary>
    Task<PlacementResult> Place(PlacementRequest request);

    /// <summary>The nodes that meet the pod's <c>[X-Fleet]</c> rules, room or not: where a global unit runs.</summary>
    Task<IReadOnlyList<string>> MatchingNodes(PlacementRequest request);
}
