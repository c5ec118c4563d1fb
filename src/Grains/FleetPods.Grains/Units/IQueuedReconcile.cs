namespace FleetPods.Grains.Units;

/// <summary>The unit grain's reconcile as queued by <see cref="IUnitGrain.Reconcile"/>: run in turn with the grain's other calls.</summary>
internal interface IQueuedReconcile : IGrainWithStringKey
{
    [Orleans.Concurrency.OneWay]
    Task Run();
}
