using Microsoft.Extensions.Logging;

namespace FleetPods.Grains.Scheduling;

/// <summary>
/// Proposes nodes for pods from possibly stale node views; each node grain accepts or refuses the
/// reservation, so no global lock is taken and a refusal just moves on to the next candidate.
/// </summary>
public sealed class SchedulerGrain(ILogger<SchedulerGrain> logger) : Grain, ISchedulerGrain
{
    private static readonly TimeSpan NodeQueryTimeout = TimeSpan.FromSeconds(5);

    async Task<PlacementResult> ISchedulerGrain.Place(string podId, ResourceRequest request)
    {
        var names = await GrainFactory.GetGrain<IRegistryGrain>(RegistryKind.Nodes).List();
        var nodes = await Task.WhenAll(names.Select(async name => (name, await AskNode(name))));
        var plan = PlacementPipeline.Default.Plan(nodes, request);
        foreach (var candidate in plan.Candidates)
        {
            if (await GrainFactory.GetGrain<INodeGrain>(candidate.Name).Reserve(podId, request))
            {
                return new PlacementResult(candidate.Name, null);
            }
        }

        var reason = plan.Candidates.Count > 0
            ? $"every fitting node refused the reservation ({plan.Candidates.Count} tried)"
            : plan.ExplainNoFit();
        return new PlacementResult(null, reason);
    }

    private async Task<NodeInfo?> AskNode(string name)
    {
        try
        {
            return await GrainFactory.GetGrain<INodeGrain>(name).GetInfo().WaitAsync(NodeQueryTimeout);
        }
        catch (Exception ex) when (ex is FleetPodsException or TimeoutException or SiloUnavailableException)
        {
            logger.LogDebug("Node {Node} left out of placement: {Reason}", name, ex.Message);
            return null;
        }
    }
}
