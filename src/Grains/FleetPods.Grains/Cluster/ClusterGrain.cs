using FleetPods.Grains.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans.Concurrency;
using Orleans.Runtime.Messaging;
using Orleans.Storage;

namespace FleetPods.Grains.Cluster;

[StatelessWorker]
public sealed class ClusterGrain(IClusterMembershipService membership, ILogger<ClusterGrain> logger) : Grain, IClusterGrain
{
    // A live node answers GetInfo in milliseconds; one that has just died may hold a call until its death is declared.
    private static readonly TimeSpan NodeAnswerTimeout = TimeSpan.FromSeconds(3);

    async Task<IReadOnlyList<NodeStatus>> IClusterGrain.GetNodes()
    {
        var members = membership.CurrentSnapshot.Members.Values;
        var active = members.Where(m => m.Status == SiloStatus.Active).Select(m => m.Name).ToHashSet(StringComparer.Ordinal);
        var silos = members.Select(m => m.Name).ToHashSet(StringComparer.Ordinal);
        var names = await new KeyRegistry(GrainFactory, RegistryKind.Nodes).List().WaitAsync(NodeAnswerTimeout);
        var live = names.ToHashSet(StringComparer.Ordinal);
        var gone = (await GrainFactory.GetGrain<IDownNodesGrain>(IDownNodesGrain.Key).List().WaitAsync(NodeAnswerTimeout)).Where(n => !live.Contains(n));
        var nodes = await Task.WhenAll(names.Select(name =>
            active.Contains(name) ? Ask(name)
            : silos.Contains(name) ? Stored(name, NodeLiveness.Down)
            : AskAgentNode(name)).Concat(gone.Select(name => Stored(name, NodeLiveness.Down))));
        return [.. nodes.OrderBy(n => n.Name, StringComparer.Ordinal)];
    }

    // No silo carries an agent's node: its grain, on some server, knows whether the agent is attached and beating.
    private async Task<NodeStatus> AskAgentNode(string name)
    {
        try
        {
            return await GrainFactory.GetGrain<INodeGrain>(name).GetStatus().WaitAsync(NodeAnswerTimeout);
        }
        catch (Exception ex) when (ex is NodeUnavailableException or OrleansMessageRejectionException or ConnectionFailedException or TimeoutException)
        {
            logger.LogInformation("Agent node {Node} did not answer: {Reason}", name, ex.GetType().Name);
            return await Stored(name, NodeLiveness.Unreachable);
        }
    }

    private async Task<NodeStatus> Ask(string name)
    {
        try
        {
            return new NodeStatus(name, NodeLiveness.Up, await GrainFactory.GetGrain<INodeGrain>(name).GetInfo().WaitAsync(NodeAnswerTimeout));
        }
        catch (Exception ex) when (ex is NodeUnavailableException or OrleansMessageRejectionException or ConnectionFailedException or TimeoutException)
        {
            logger.LogInformation("Node {Node} is active in membership but did not answer: {Reason}", name, ex.GetType().Name);
            return await Stored(name, NodeLiveness.Unreachable);
        }
    }

    // A silo's node grain cannot be activated anywhere but on its own silo, and a down agent's need not be (it would
    // wait for an attach), so their state is read from storage directly.
    private async Task<NodeStatus> Stored(string name, NodeLiveness liveness)
    {
        var storage = ServiceProvider.GetRequiredKeyedService<IGrainStorage>(GrainStorage.Name);
        var state = new GrainState<NodeState>(new NodeState());
        await storage.ReadStateAsync(StoredNode.StateName, GrainFactory.GetGrain<INodeGrain>(name).GetGrainId(), state);
        return new NodeStatus(name, liveness, StoredNode.Describe(name, state.State ?? new NodeState()));
    }
}
