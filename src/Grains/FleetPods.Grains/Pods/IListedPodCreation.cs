using FleetPods.Grains.UnitFiles;

namespace FleetPods.Grains.Pods;

/// <summary>
/// How a unit grain makes its pods: as <see cref="IPodGrain.Create"/> does, for a pod its unit has already listed in
/// the pods' registry (a batch in one shard, <see cref="KeyRegistry.NewKeys"/>), so making it costs no listing call of
/// its own and it is handed to its node with its reservation. Internal: a caller that could skip the listing could hide
/// a pod from every listing. With <c>tellUnitOnlyOfEnd</c>, the pod tells its unit when it ends and not when it runs
/// (<see cref="PodState.TellsUnitOnlyOfEnd"/>).
/// </summary>
internal interface IListedPodCreation : IGrainWithStringKey
{
    Task<PodStatus> CreateListed(PodSpec spec, UnitFile unit, bool start, string? requiredNode, bool tellUnitOnlyOfEnd);
}
