using System.Collections.Frozen;
using FleetPods.Grains.UnitFiles;

namespace FleetPods.Grains.Scheduling;

/// <summary>
/// Placement as a chain of small steps, as Nomad's scheduler builds it: the unit's own rules first (which
/// nodes match), then capacity (which of those have room), then ranking by load (<see cref="SpreadRanking"/>). Every rejected node is counted
/// under its reason, so a pending pod can say why. The node grain, not this pipeline, decides whether a
/// reservation holds.
/// </summary>
public sealed class PlacementPipeline(IReadOnlyList<INodeFilter> constraints, IReadOnlyList<INodeFilter> capacity)
{
    /// <summary>The pipeline for one request, with only the rules it uses.</summary>
    /// <param name="sameNodeAs">The nodes of the unit that MachineOf= (or Replaces=) names, when it names one.</param>
    public static PlacementPipeline For(PlacementRequest request, IReadOnlySet<string>? sameNodeAs)
    {
        ArgumentNullException.ThrowIfNull(request);
        var fleet = request.Fleet;
        var constraints = new List<INodeFilter>();

        // Cheapest and most selective first: a node-name comparison rules out all nodes but one.
        if (request.RequiredNode is not null)
        {
            constraints.Add(new RequiredNodeFilter());
        }

        if (fleet.MachineId is not null)
        {
            constraints.Add(new MachineIdFilter());
        }

        if (sameNodeAs is not null)
        {
            constraints.Add(new SameNodeAsFilter(SameNodeRule(fleet)!, sameNodeAs));
        }

        if (fleet.MachineMetadata.Count > 0)
        {
            constraints.Add(new MachineMetadataFilter());
        }

        // Always: a default (ns) pod needs a node that offers ns too, since an admin may leave it out.
        constraints.Add(new Stage1Filter());

        // Always: other units' Conflicts= bind this pod even when it has none of its own.
        constraints.Add(new ConflictsFilter());
        return new PlacementPipeline(constraints, [new ResourceFitFilter()]);
    }

    /// <summary>The rule that ties a pod to another unit's node (<c>MachineOf=x</c> or <c>Replaces=x</c>), or null.</summary>
    public static string? SameNodeRule(FleetSection fleet)
    {
        ArgumentNullException.ThrowIfNull(fleet);
        return fleet.MachineOf is { } of ? $"MachineOf={of}" : fleet.Replaces is { } replaced ? $"Replaces={replaced}" : null;
    }

    /// <param name="nodes">Every node known, with null info for nodes that are down or could not be asked.</param>
    /// <param name="start">Where in <paramref name="nodes"/> the walk begins; it wraps around.</param>
    /// <param name="limit">
    /// How many fitting nodes are enough, as Nomad's scheduler stops after a few (<c>log2(n)</c>): the walk ends there,
    /// so the rejections then count only the nodes walked. A plan with no candidate has walked them all.
    /// </param>
    public PlacementPlan Plan(IReadOnlyList<(string Name, NodeInfo? Info)> nodes, PlacementRequest request, int start = 0, int limit = int.MaxValue)
    {
        ArgumentNullException.ThrowIfNull(nodes);
        ArgumentNullException.ThrowIfNull(request);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);

        // Made when a node is first rejected: most walks at 10,000 nodes reject none before they have enough.
        Dictionary<string, int>? rejections = null;
        HashSet<string>? capacityRejections = null;
        HashSet<ResourceShortage>? shortages = null;
        var feasible = new List<NodeInfo>(Math.Min(limit, nodes.Count));
        var matching = 0;
        for (var walked = 0; walked < nodes.Count && feasible.Count < limit; walked++)
        {
            var info = nodes[(start + walked) % nodes.Count].Info;
            var reason = info is null ? PlacementPlan.Unreachable : FirstRejection(constraints, info, request);
            if (reason is null)
            {
                matching++;
                reason = FirstRejection(capacity, info!, request);
                if (reason is not null)
                {
                    (capacityRejections ??= new(StringComparer.Ordinal)).Add(reason);
                    (shortages ??= []).Add(ResourceFitFilter.ShortageOn(info!, request.Resources));
                }
            }

            if (reason is null)
            {
                feasible.Add(info!);
            }
            else
            {
                rejections ??= new(StringComparer.Ordinal);
                rejections[reason] = rejections.GetValueOrDefault(reason) + 1;
            }
        }

        IReadOnlyDictionary<string, int> rejected = rejections is null ? FrozenDictionary<string, int>.Empty : rejections;
        IReadOnlySet<ResourceShortage> lacking = shortages is null ? FrozenSet<ResourceShortage>.Empty : shortages;
        IReadOnlySet<string> lackingRoom = capacityRejections is null ? FrozenSet<string>.Empty : capacityRejections;
        return new PlacementPlan(SpreadRanking.Rank(feasible, request), rejected, nodes.Count, matching, request, lacking)
        {
            CapacityRejections = lackingRoom,
        };
    }

    private static string? FirstRejection(IReadOnlyList<INodeFilter> filters, NodeInfo node, PlacementRequest request)
    {
        // Asked for every node a placement walks: indexed, as an enumerator of the interface would be allocated each time.
        for (var i = 0; i < filters.Count; i++)
        {
            if (filters[i].Reject(node, request) is { } reason)
            {
                return reason;
            }
        }

        return null;
    }
}
