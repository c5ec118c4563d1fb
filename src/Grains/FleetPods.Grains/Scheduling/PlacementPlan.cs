using System.Globalization;

namespace FleetPods.Grains.Scheduling;

/// <summary>The ranked nodes to try, and every rejected node counted under its reason.</summary>
/// <param name="Candidates">The nodes that fit, best first, each with the load that ranked it.</param>
/// <param name="MatchingCount">Nodes that meet the unit's rules, room or not.</param>
/// <param name="Rules">The unit's rules as written (e.g. <c>MachineMetadata=disk=ssd</c>), empty when it has none.</param>
/// <param name="Lacking">What the matching nodes lacked (e.g. <c>2 GiB free memory</c>), empty when none lacked room.</param>
public sealed record PlacementPlan(
    IReadOnlyList<NodeLoad> Candidates,
    IReadOnlyDictionary<string, int> Rejections,
    int NodeCount,
    int MatchingCount,
    string Rules,
    string Lacking)
{
    /// <summary>The reason of a node whose grain could not be asked.</summary>
    public const string Unreachable = "unreachable";

    /// <summary>The reasons of <see cref="Rejections"/> that are a matching node's lack of room, not a rule's.</summary>
    public IReadOnlySet<string> CapacityRejections { get; init; } = new HashSet<string>();

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

        var reasons = string.Join(", ", Rejections.OrderByDescending(r => r.Value).ThenBy(r => r.Key, StringComparer.Ordinal)
            .Select(r => string.Create(CultureInfo.InvariantCulture, $"{r.Value} {r.Key}")));
        if (MatchingCount == 0)
        {
            return Rules.Length == 0
                ? $"no node fits among {Nodes(NodeCount)}: {reasons}"
                : $"no node matches {Rules} among {Nodes(NodeCount)}: {reasons}";
        }

        var among = Rules.Length == 0 ? Nodes(MatchingCount) : string.Create(CultureInfo.InvariantCulture, $"{MatchingCount} matching {Rules}");
        // Nodes outside the rules are no news when there are rules; unreachable ones always are.
        var others = string.Join(", ", Rejections.Where(r => !CapacityRejections.Contains(r.Key) && (Rules.Length == 0 || r.Key == Unreachable))
            .OrderByDescending(r => r.Value).ThenBy(r => r.Key, StringComparer.Ordinal)
            .Select(r => string.Create(CultureInfo.InvariantCulture, $"{r.Value} {r.Key}")));
        return $"no node with {Lacking} among {among}" + (others.Length > 0 ? $" (other nodes: {others})" : "");
    }

    private static string Nodes(int count) => string.Create(CultureInfo.InvariantCulture, $"{count} node{(count == 1 ? "" : "s")}");
}
