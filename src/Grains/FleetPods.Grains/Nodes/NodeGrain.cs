using FleetPods.Grains.Placement;
using FleetPods.Grains.Scheduling;
using Microsoft.Extensions.Logging;

namespace FleetPods.Grains.Nodes;

[NodePlacement]
public sealed class NodeGrain(
    [PersistentState(StoredNode.StateName, GrainStorage.Name)] IPersistentState<NodeState> state,
    ILocalNode localNode,
    TimeProvider time,
    ILogger<NodeGrain> logger) : Grain, INodeGrain
{
    private string Name => this.GetPrimaryKeyString();

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (localNode.NodeName != Name)
        {
            throw new FleetPodsException($"node grain '{Name}' was activated on the silo of node '{localNode.NodeName}'");
        }

        return base.OnActivateAsync(cancellationToken);
    }

    async Task INodeGrain.Announce(NodeAnnouncement announcement)
    {
        await GrainFactory.GetGrain<IRegistryGrain>(RegistryKind.Nodes).Add(Name);
        state.State.Announcement = announcement;
        state.State.AnnouncedAt = time.GetUtcNow();
        await state.WriteStateAsync();
        logger.LogInformation("Node {Node} announced at {Address}: {CpuMillis}m CPU, {MemoryBytes} bytes memory",
            Name, announcement.Address, announcement.Capacity.CpuMillis, announcement.Capacity.MemoryBytes);
    }

    Task<NodeInfo?> INodeGrain.GetInfo() => Task.FromResult(Describe());

    // The one place a reservation is decided: the scheduler's view may be stale, this one is not.
    async Task<bool> INodeGrain.Reserve(PlacementRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (state.State.Reservations.ContainsKey(request.PodId))
        {
            return true;
        }

        var info = Describe();
        var wanted = request.Resources;
        if (info is null || wanted.MemoryBytes > info.FreeMemoryBytes || wanted.CpuMillis > info.FreeCpuMillis
            || ConflictsFilter.FindConflict(info.Pods, request) is not null)
        {
            return false;
        }

        state.State.Reservations[request.PodId] = wanted;
        state.State.Pods[request.PodId] = request.AsPlaced();
        await state.WriteStateAsync();
        return true;
    }

    async Task INodeGrain.Release(string podId)
    {
        if (state.State.Reservations.Remove(podId) | state.State.Pods.Remove(podId))
        {
            await state.WriteStateAsync();
        }
    }

    Task<IReadOnlyList<string>> INodeGrain.ListPods() =>
        Task.FromResult<IReadOnlyList<string>>([.. state.State.Reservations.Keys.Order(StringComparer.Ordinal)]);

    async Task INodeGrain.RunPod(string podId, PodSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (!state.State.Reservations.ContainsKey(podId))
        {
            throw new FleetPodsException($"pod {podId} holds no reservation on node {Name}");
        }

        await GrainFactory.GetGrain<IImageStoreGrain>(Name).EnsureImage(spec.Pod.Image);
        await localNode.RunPod(podId, spec);
    }

    Task<PodStateReport> INodeGrain.StopPod(string podId, TimeSpan grace) => localNode.StopPod(podId, grace);

    async Task INodeGrain.RemovePod(string podId, TimeSpan grace)
    {
        await localNode.RemovePod(podId, grace);
        await ((INodeGrain)this).Release(podId);
    }

    Task<PodLog> INodeGrain.ReadPodLog(string podId, long offset, int maxBytes) =>
        localNode.ReadPodLog(podId, offset, maxBytes);

    async Task<PodEntry> INodeGrain.GetPodEntry(string podId, string? app) => new(Name, await localNode.EnterCommand(podId, app));

    Task<IReadOnlyList<string>> INodeGrain.CollectPodGarbage(TimeSpan gracePeriod) => localNode.CollectPodGarbage(gracePeriod);

    private NodeInfo? Describe() => StoredNode.Describe(Name, state.State);
}
