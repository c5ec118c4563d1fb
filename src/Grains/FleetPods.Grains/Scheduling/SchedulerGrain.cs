using Microsoft.Extensions.Logging;

namespace FleetPods.Grains.Scheduling;

/// <summary>
/// Proposes nodes for pods from possibly stale node views; each node grain accepts or refuses the
/// reservation, so no global lock is taken and a refusal just moves on to the next candidate. It keeps no
/// state, so calls interleave: one slow node answer does not hold up other placements.
/// </summary>
[Orleans.Concurrency.Reentrant]
public sealed class SchedulerGrain(ILogger<SchedulerGrain> logger) : Grain, ISchedulerGrain
{
    private static readonly TimeSpan NodeQueryTimeout = TimeSpan.FromSeconds(5);

    async Task<PlacementResult> ISchedulerGrain.Place(PlacementRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        IReadOnlySet<string>? sameNodeAs = null;
        if (PlacementPipeline.SameNodeRule(request.Fleet) is { } rule)
        {
            var target = (request.Fleet.MachineOf ?? request.Fleet.Replaces)!;
            sameNodeAs = await NodesOf(target, includeEnded: request.Fleet.MachineOf is null);
            if (sameNodeAs.Count == 0)
            {
                return new PlacementResult(null, $"{rule}: {target} has no placed pod");
            }
        }

        var plan = PlacementPipeline.For(request, sameNodeAs).Plan(await AskNodes(), request);
        for (var i = 0; i < plan.Candidates.Count; i++)
        {
            var candidate = plan.Candidates[i];
            if (await GrainFactory.GetGrain<INodeGrain>(candidate.Name).Reserve(request))
            {
                // Debug, since it is one line per pod: why this node, beside the one that came next.
                if (logger.IsEnabled(LogLevel.Debug))
                {
                    logger.LogDebug("Pod {PodId} of {Unit} goes to {Choice}; next was {Next}",
                        request.PodId, request.UnitName ?? "(run)", candidate.ToString(), i + 1 < plan.Candidates.Count ? plan.Candidates[i + 1].ToString() : "none");
                }

                return new PlacementResult(candidate.Name, null);
            }
        }

        var reason = plan.Candidates.Count > 0
            ? $"every fitting node refused the reservation ({plan.Candidates.Count} tried)"
            : plan.ExplainNoFit();
        return new PlacementResult(null, reason);
    }

    async Task<IReadOnlyList<string>> ISchedulerGrain.MatchingNodes(PlacementRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);

        // Capacity aside: a global unit wants a pod on every node its rules (Conflicts= included) allow, and one
        // that does not fit there stays pending on that node with the reason.
        var rules = request with { Resources = new ResourceRequest(0, 0) };
        var plan = PlacementPipeline.For(rules, null).Plan(await AskNodes(), rules);
        return [.. plan.Candidates.Select(n => n.Name).Order(StringComparer.Ordinal)];
    }

    private async Task<IReadOnlySet<string>> NodesOf(string unit, bool includeEnded)
    {
        var status = await GrainFactory.GetGrain<IUnitGrain>(unit).GetStatus();
        return (status?.Pods ?? []).Where(p => p.NodeName is not null && (includeEnded || !p.HasEnded))
            .Select(p => p.NodeName!).ToHashSet(StringComparer.Ordinal);
    }

    private async Task<(string Name, NodeInfo? Info)[]> AskNodes()
    {
        var names = await GrainFactory.GetGrain<IRegistryGrain>(RegistryKind.Nodes).List();
        return await Task.WhenAll(names.Select(async name => (name, await AskNode(name))));
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
