using System.Globalization;

namespace FleetPods.Bench.Scheduling;

/// <summary>A run's result, printed as the benchmark's last line so two runs compare at a glance.</summary>
/// <param name="PlacementsPerSecond">Pods reported running, over the time from the first submit until the last of them was.</param>
/// <param name="P50Ms">The median time from a pod's creation until its node grain had reserved it and asked its agent to run it.</param>
/// <param name="Spread">The most pods on one node over the mean per node.</param>
/// <param name="PeakMb">The server silo's peak resident set (VmHWM), in MiB.</param>
internal sealed record Figures(double PlacementsPerSecond, double P50Ms, double P99Ms, double Spread, double PeakMb)
{
    public static Figures Of(int running, TimeSpan elapsed, IReadOnlyList<double> latenciesMs, IReadOnlyList<int> podsPerNode, long peakBytes)
    {
        var sorted = latenciesMs.Order().ToArray();
        var mean = podsPerNode.Count == 0 ? 0 : podsPerNode.Average();
        return new(
            running / elapsed.TotalSeconds,
            Percentile(sorted, 0.50),
            Percentile(sorted, 0.99),
            mean == 0 ? 0 : podsPerNode.Max() / mean,
            peakBytes / (1024.0 * 1024.0));
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"placements/s={PlacementsPerSecond:0.0} p50_ms={P50Ms:0.0} p99_ms={P99Ms:0.0} spread={Spread:0.00} peak_mb={PeakMb:0}");

    // Nearest rank: the smallest value with at least that share of the values at or below it.
    private static double Percentile(double[] sorted, double share) =>
        sorted.Length == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(share * sorted.Length) - 1, 0, sorted.Length - 1)];
}
