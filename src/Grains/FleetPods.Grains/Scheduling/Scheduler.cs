using System.Diagnostics;
using FleetPods.Grains.Cluster;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FleetPods.Grains.Scheduling;

/// <summary>
/// Proposes nodes for pods from this silo's copy of the node view (<see cref="NodeViewCopy"/>), which may be stale;
/// each node grain accepts or refuses the reservation, so no global lock is taken and a refusal just moves on to the
/// next candidate. One per silo, called in the turn of the grain that places (a pod, a unit), so a placement costs no
/// call of its own and none crosses to another silo to be decided; placements on the silo share the copy, and each
/// sees the reservations the others asked for.
/// </summary>
internal sealed class Scheduler(IGrainFactory grains, IOptions<NodeViewOptions> options, ILogger<Scheduler> logger)
{
    // Nomad stops after log2(n) fitting nodes (14 at 10,000); at least this many are scored, which keeps replicas
    // apart and, in a small cluster, scores every node. Each node walked is a few cache misses of a large heap: at
    // 10,000 nodes, 16 rather than 32 placed 1.09 times as fast, with a spread of 1.20 rather than 1.10 (bench/README.md).
    private const int MinSample = 16;

    private readonly NodeViewCopy nodes = new(grains.GetGrain<INodeViewGrain>(0));

    /// <summary>
    /// Finds a node that meets the pod's rules and has room, and has <paramref name="reserve"/> reserve it there
    /// (true when the node took it; a throw leaves the node out of placement until its next report); or says why none did.
    /// </summary>
    public async Task<PlacementResult> Place(PlacementRequest request, Func<string, Task<bool>> reserve)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(reserve);
        var asked = Stopwatch.GetTimestamp();
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

        var pipeline = PlacementPipeline.For(request, sameNodeAs);
        await nodes.Update(options.Value.MaxAge);
        var tried = new HashSet<string>(StringComparer.Ordinal);
        var plan = Sample(pipeline, request, tried);
        if (await Reserve(plan, request, reserve, tried) is { } placed)
        {
            return placed;
        }

        // Nothing fitted, or every node tried refused: the copy may be behind (a node just joined, others filled up),
        // so the answer comes from one asked for after this placement began.
        await nodes.UpdateAskedAfter(asked);
        plan = Sample(pipeline, request, tried);
        if (await Reserve(plan, request, reserve, tried) is { } second)
        {
            return second;
        }

        var reason = plan.Candidates.Count > 0
            ? $"every fitting node refused the reservation ({tried.Count} tried)"
            : plan.ExplainNoFit();
        return new PlacementResult(null, reason);
    }

    /// <summary>The nodes that meet the pod's <c>[X-Fleet]</c> rules, room or not: where a global unit runs.</summary>
    public async Task<IReadOnlyList<string>> MatchingNodes(PlacementRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);

        // Capacity aside: a global unit wants a pod on every node its rules (Conflicts= included) allow, and one
        // that does not fit there stays pending on that node with the reason.
        var rules = request with { Resources = new ResourceRequest(0, 0) };
        await nodes.UpdateAskedAfter(Stopwatch.GetTimestamp());
        var plan = nodes.Read(all => PlacementPipeline.For(rules, null).Plan(all, rules));
        return [.. plan.Candidates.Select(n => n.Name).Order(StringComparer.Ordinal)];
    }

    // The first candidate not yet tried is held in the copy as it is chosen (Reserve asks it first).
    private PlacementPlan Sample(PlacementPipeline pipeline, PlacementRequest request, IReadOnlySet<string> tried) => nodes.PlanAndHold(
        all =>
        {
            var sample = Math.Max(MinSample, (int)Math.Ceiling(Math.Log2(Math.Max(all.Count, 1))));
            return pipeline.Plan(all, request, all.Count == 0 ? 0 : Random.Shared.Next(all.Count), sample);
        },
        request,
        tried);

    private async Task<PlacementResult?> Reserve(PlacementPlan plan, PlacementRequest request, Func<string, Task<bool>> reserve, HashSet<string> tried)
    {
        var held = true;
        for (var i = 0; i < plan.Candidates.Count; i++)
        {
            var candidate = plan.Candidates[i];
            if (!tried.Add(candidate.Name))
            {
                continue;
            }

            if (!held)
            {
                nodes.Reserved(candidate.Name, request);
            }

            held = false;
            bool reserved;
            try
            {
                reserved = await reserve(candidate.Name);
            }
            catch (Exception ex) when (UnansweredCall.Is(ex))
            {
                logger.LogDebug("Node {Node} left out of placement: {Reason}", candidate.Name, ex.Message);
                nodes.Unreachable(candidate.Name);
                continue;
            }

            if (!reserved)
            {
                nodes.Refused(candidate.Name, request);
                continue;
            }

            // Debug, since it is one line per pod: why this node, beside the one that came next.
            if (logger.IsEnabled(LogLevel.Debug))
            {
                logger.LogDebug("Pod {PodId} of {Unit} goes to {Choice}; next was {Next}",
                    request.PodId, request.UnitName ?? "(run)", candidate.ToString(), i + 1 < plan.Candidates.Count ? plan.Candidates[i + 1].ToString() : "none");
            }

            return new PlacementResult(candidate.Name, null);
        }

        return null;
    }

    private async Task<IReadOnlySet<string>> NodesOf(string unit, bool includeEnded)
    {
        var status = await grains.GetGrain<IUnitGrain>(unit).GetStatus();
        return (status?.Pods ?? []).Where(p => p.NodeName is not null && (includeEnded || !p.HasEnded))
            .Select(p => p.NodeName!).ToHashSet(StringComparer.Ordinal);
    }
}
