namespace FleetPods.Grains.Units;

/// <summary>How the node view tells a unit grain that nodes came up or announced themselves anew (see <see cref="Scheduling.NodeViewGrain"/>).</summary>
internal interface IUnitNodeChanges : IGrainWithStringKey
{
    /// <summary>
    /// A global unit queues a reconcile, which puts a pod on every node its rules now match and takes its pods off
    /// nodes they no longer match; any other unit ignores it (its own retries place pending pods). One-way: the view
    /// waits on no unit.
    /// </summary>
    [Orleans.Concurrency.OneWay]
    [Orleans.Concurrency.AlwaysInterleave]
    Task NodesChanged();
}
