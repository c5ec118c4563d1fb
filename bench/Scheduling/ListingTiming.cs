using System.Diagnostics;
using System.Globalization;
using FleetPods.Silo.Api;

namespace FleetPods.Bench.Scheduling;

/// <summary>
/// <c>GET /v1/pods?node=X</c> and <c>?unit=U</c> without the HTTP socket: the very code the endpoint runs
/// (<see cref="PodListing.Read"/>, a first page of <see cref="PageQuery.MaxLimit"/>), through the benchmark's client,
/// timed <see cref="Times"/> times after a first call; the median is quoted.
/// </summary>
internal static class ListingTiming
{
    public const int Times = 20;

    /// <summary>One line: <c>list_pods_node_ms=…</c> for the node, then the first call's time, the pods each answer held, and the unit's figure.</summary>
    public static async Task<string> Measure(IClusterClient client, string node, string unit)
    {
        var (nodeFirst, nodeMedian, nodePods) = await Time(client, node, null);
        var (unitFirst, unitMedian, unitPods) = await Time(client, null, unit);
        return string.Create(CultureInfo.InvariantCulture,
            $"list_pods_node_ms={nodeMedian:0.0} (median of {Times}; first call {nodeFirst:0.0} ms; node {node}, {nodePods} pods) "
            + $"list_pods_unit_ms={unitMedian:0.0} (first call {unitFirst:0.0} ms; unit {unit}, {unitPods} pods)");
    }

    private static async Task<(double FirstMs, double MedianMs, int Pods)> Time(IClusterClient client, string? node, string? unit)
    {
        var page = new PageQuery(PageQuery.MaxLimit, null);
        var first = Stopwatch.StartNew();
        var pods = (await PodListing.Read(client, node, unit, null, page, CancellationToken.None)).Pods.Count;
        var firstMs = first.Elapsed.TotalMilliseconds;
        var times = new double[Times];
        for (var i = 0; i < Times; i++)
        {
            var one = Stopwatch.StartNew();
            await PodListing.Read(client, node, unit, null, page, CancellationToken.None);
            times[i] = one.Elapsed.TotalMilliseconds;
        }

        Array.Sort(times);
        return (firstMs, (times[(Times / 2) - 1] + times[Times / 2]) / 2, pods);
    }
}
