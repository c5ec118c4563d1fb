using FleetPods.Grains.Pods;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;
using Orleans.TestingHost;

namespace FleetPods.Grains.Tests.Pods;

/// <summary>A pod as storage holds it: what a silo that activates its grain afresh (after a restart) would load.</summary>
internal static class StoredPod
{
    /// <summary>The stored pod; nothing stored reads as a pod that does not exist.</summary>
    public static async Task<PodState> Read(InProcessTestCluster cluster, string podId)
    {
        var storage = cluster.Silos[0].ServiceProvider.GetRequiredKeyedService<IGrainStorage>(GrainStorage.Name);
        var state = new GrainState<PodState>(new PodState());
        await storage.ReadStateAsync(PodState.StateName, cluster.Client.GetGrain<IPodGrain>(podId).GetGrainId(), state);
        return state.State ?? new PodState();
    }
}
