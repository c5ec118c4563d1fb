namespace FleetPods.Grains.Units;

/// <summary>How a pod tells its unit grain that it changed, with what it is now; see <see cref="KnownPodStatuses"/>.</summary>
internal interface IUnitPodChanges : IGrainWithStringKey
{
    /// <summary>
    /// Takes the pod's status (null when it was destroyed) and queues a reconcile that reads only the pods it has not
    /// heard of. One-way, as the unit may be waiting on that pod right now.
    /// </summary>
    [Orleans.Concurrency.OneWay]
    [Orleans.Concurrency.AlwaysInterleave]
    Task PodChanged(string podId, PodStatus? status);
}
