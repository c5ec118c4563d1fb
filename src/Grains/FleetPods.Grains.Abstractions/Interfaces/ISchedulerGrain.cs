namespace FleetPods.Grains;

/// <summary>Chooses nodes for pods. Keyed by 0: one scheduler per cluster.</summary>
public interface ISchedulerGrain : IGrainWithIntegerKey
{
    /// <summary>Finds a node with room for the pod and reserves it there, or says why none fits.</summary>
    Task<PlacementResult> Place(string podId, ResourceRequest request);
}
