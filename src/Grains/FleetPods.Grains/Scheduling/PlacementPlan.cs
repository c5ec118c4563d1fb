using System.Collections.Frozen;
using System.Globalization;
using FleetPods.Grains.UnitFiles;

namespace FleetPods.Grains.Scheduling;

/// <summary>The ranked nodes to try, and every rejected node counted under its reason.</summary>
/// <param name="Candidates">The nodes that fit, best first, each with the load that ranked it.</param>
/// <param name="MatchingCount">Nodes that meet the unit's rules, room or not.</param>
/// <param name="Request">The placement planned, whose rules <see cref="ExplainNoFit"/> names.</param>
/// <param name="Shortages">What the matching nodes lacked, empty when none lacked room.</param>
public sealed record PlacementPlan(
    IReadOnlyList<NodeLoad> Candidates,
    IReadOnlyDictionary<string, int> Rejections,
    int NodeCount,
    int MatchingCount,
    PlacementRequest Request,
    IReadOnlySet<ResourceShortage> Shortages)
{
    /// <summary>The reason of a node whose grain could not be asked.</summary>
    public const string Unreachable = "unreachable";

    /// <summary>The reasons of <see cref="Rejections"/> that are a matching node's lack of room, not a rule's.</summary>
    public IReadOnlySet<string> CapacityRejections { get; init; } = FrozenSet<string>.Empty;

    /// <summary>
    /// Why no node took the pod, e.g. "no node with 2 GiB free memory among 3 matching MachineMetadata=disk=ssd"
    /// or "no node matches MachineID=x among 3 nodes: 3 not MachineID=x".
    /// </summary>
    public string ExplainNoFit()
    {
        if (NodeCount == 0)
        {
            return "no node has joined the cluster";
        }

        // Made only here: a plan that placed its pod (nearly every one) has no use for the text.
        var rules = Rules(Request);
        var reasons = string.Join(", ", Rejections.OrderByDescending(r => r.Value).ThenBy(r => r.Key, StringComparer.Ordinal)
            .Select(r => string.Create(CultureInfo.InvariantCulture, $"{r.Value} {r.Key}")));
        if (MatchingCount == 0)
        {
            return rules.Length == 0
                ? $"no node fits among {Nodes(NodeCount)}: {reasons}"
                : $"no node matches {rules} among {Nodes(NodeCount)}: {reasons}";
        }

        var among = rules.Length == 0 ? Nodes(MatchingCount) : string.Create(CultureInfo.InvariantCulture, $"{MatchingCount} matching {rules}");
        // Nodes outside the rules are no news when there are rules; unreachable ones always are.
        var others = string.Join(", ", Rejections.Where(r => !CapacityRejections.Contains(r.Key) && (rules.Length == 0 || r.Key == Unreachable))
            .OrderByDescending(r => r.Value).ThenBy(r => r.Key, StringComparer.Ordinal)
            .Select(r => string.Create(CultureInfo.InvariantCulture, $"{r.Value} {r.Key}")));
        return $"no node with {Lacking(Request.Resources, Shortages)} among {among}" + (others.Length > 0 ? $" (other nodes: {others})" : "");
    }

    private static string Nodes(int count) => string.Create(CultureInfo.InvariantCulture, $"{count} node{(count == 1 ? "" : "s")}");

    // The request's own rules as a person wrote them, for "among 3 matching MachineMetadata=disk=ssd".
    private static string Rules(PlacementRequest request)
    {
        var fleet = request.Fleet;
        var rules = new List<string>();
        if (request.RequiredNode is { } node)
        {
            rules.Add($"node {node}");
        }

        if (fleet.MachineId is { } id)
        {
            rules.Add($"MachineID={id}");
        }

        if (PlacementPipeline.SameNodeRule(fleet) is { } same)
        {
            rules.Add(same);
        }

        if (fleet.MachineMetadata.Count > 0)
        {
            rules.Add(MachineMetadataFilter.Describe(fleet.MachineMetadata));
        }

        // Every node offered ns until an admin could choose otherwise: the default flavor is no rule of the unit's.
        if (request.Stage1 != Stage1Flavor.Ns)
        {
            rules.Add($"Stage1={Stage1Filter.Name(request.Stage1)}");
        }

        if (fleet.Conflicts.Count > 0)
        {
            rules.Add("Conflicts=" + string.Join(" ", fleet.Conflicts));
        }

        return string.Join(", ", rules);
    }

    private static string Lacking(ResourceRequest wanted, IReadOnlySet<ResourceShortage> shortages)
    {
        var lacking = new List<string>();
        if (shortages.Contains(ResourceShortage.Memory))
        {
            lacking.Add($"{ByteCount.Format(wanted.MemoryBytes)} free memory");
        }

        if (shortages.Contains(ResourceShortage.Cpu))
        {
            lacking.Add($"{wanted.CpuMillis}m free CPU");
        }

        return string.Join(" and ", lacking);
    }
}
