using Microsoft.Extensions.DependencyInjection;

namespace FleetPods.Grains.Scheduling;

/// <summary>
/// The scheduler as a grain, for callers outside the silo: each silo answers with its own <see cref="Scheduler"/>, which
/// the silo's pod and unit grains call in their own turns.
/// </summary>
[Orleans.Concurrency.StatelessWorker(1)]
[Orleans.Concurrency.Reentrant]
public sealed class SchedulerGrain : Grain, ISchedulerGrain
{
    private Scheduler Scheduler => ServiceProvider.GetRequiredService<Scheduler>();

    async Task<PlacementResult> ISchedulerGrain.Place(PlacementRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return await Scheduler.Place(request, async node => (await GrainFactory.GetGrain<INodeGrain>(node).Reserve(request, null)).Reserved);
    }

    Task<IReadOnlyList<string>> ISchedulerGrain.MatchingNodes(PlacementRequest request) => Scheduler.MatchingNodes(request);
}
