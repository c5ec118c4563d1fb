using System.Globalization;
using System.Text.Json;

namespace FleetPods.Cli.Native.Output;

/// <summary>
/// One row of <c>list-units</c> from a <c>UnitStatus</c>: its desired state, its pods as running/desired, their
/// phases and the nodes they are on, so a unit of many pods reads as a whole, not as its first pod.
/// </summary>
internal static class UnitListing
{
    /// <summary>Nodes named in the row before the rest are counted; a global unit on 10,000 nodes stays one line.</summary>
    public const int NodesShown = 3;

    // The order a pod goes through, so a mix of phases reads the same way every time.
    private static readonly string[] PhaseOrder = ["pending", "preparing", "running", "exited", "failed"];

    public static IReadOnlyList<string> Headers { get; } = ["unit", "desired", "pods", "phase", "nodes", "description"];

    public static IReadOnlyList<string> Row(JsonElement unit)
    {
        var pods = unit.Items("pods").ToList();
        var running = pods.Count(p => p.Text("phase") == "running");
        return
        [
            unit.Text("name", ""),
            unit.Text("desiredState", "-"),
            string.Create(CultureInfo.InvariantCulture, $"{running}/{unit.Number("desiredPods")}"),
            Phases(pods),
            Nodes(pods),
            unit.Text("description", ""),
        ];
    }

    /// <summary>One phase when all pods share it (<c>running</c>), else each with its count (<c>2 running, 1 pending</c>).</summary>
    private static string Phases(List<JsonElement> pods)
    {
        var counts = pods.GroupBy(p => p.Text("phase", "-"), StringComparer.Ordinal)
            .OrderBy(g => PhaseRank(g.Key))
            .ToList();
        return counts switch
        {
            [] => "-",
            [var only] => only.Key,
            _ => string.Join(", ", counts.Select(g => string.Create(CultureInfo.InvariantCulture, $"{g.Count()} {g.Key}"))),
        };
    }

    private static int PhaseRank(string phase)
    {
        var at = Array.IndexOf(PhaseOrder, phase);
        return at < 0 ? PhaseOrder.Length : at;
    }

    /// <summary>The distinct nodes, sorted, the first <see cref="NodesShown"/> by name and the rest counted (<c>a,b,c +7</c>).</summary>
    private static string Nodes(List<JsonElement> pods)
    {
        var nodes = pods.Select(p => p.Text("nodeName")).OfType<string>().Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        if (nodes.Count == 0)
        {
            return "-";
        }

        var shown = string.Join(",", nodes.Take(NodesShown));
        return nodes.Count > NodesShown ? string.Create(CultureInfo.InvariantCulture, $"{shown} +{nodes.Count - NodesShown}") : shown;
    }
}
