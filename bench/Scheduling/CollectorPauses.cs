using System.Diagnostics;
using System.Diagnostics.Tracing;
using System.Globalization;

namespace FleetPods.Bench.Scheduling;

/// <summary>
/// A server's garbage collections, each as one line on its stdout (<see cref="Parse"/> reads them in the benchmark):
/// how long it stopped the server, and how much it promoted out of gen0 and gen1. A pause stops every pod in flight,
/// and its length follows what the collector copied, so these say how much of a run's p99 the collector makes and
/// what a change to the grains' long-lived state saves. Read from the runtime's own events (SuspendEEBegin to
/// RestartEEEnd), as dotnet-trace's gc-collect profile reads them.
/// </summary>
internal sealed class CollectorPauses : EventListener
{
    private const string LinePrefix = "gc\t";
    private const string RuntimeSource = "Microsoft-Windows-DotNETRuntime";
    private const EventKeywords GcKeyword = (EventKeywords)0x1;

    // The runtime's event ids (ClrEtwAll.man): GCStart_V2, GCHeapStats_V2, GCSuspendEEBegin_V1, GCRestartEEEnd_V1.
    private const int GcStart = 1;
    private const int GcHeapStats = 4;
    private const int SuspendBegin = 9;
    private const int RestartEnd = 3;

    private int generation;
    private long promoted;
    private long suspendedAt;

    protected override void OnEventSourceCreated(EventSource eventSource)
    {
        if (eventSource.Name == RuntimeSource)
        {
            EnableEvents(eventSource, EventLevel.Informational, GcKeyword);
        }
    }

    // The runtime raises these one at a time on its event thread.
    protected override void OnEventWritten(EventWrittenEventArgs e)
    {
        switch (e.EventId)
        {
            case GcStart:
                generation = Convert.ToInt32(e.Payload![1], CultureInfo.InvariantCulture);
                promoted = 0;
                break;
            case GcHeapStats:
                // TotalPromotedSize0 and TotalPromotedSize1: what this collection copied out of the young generations.
                promoted = Convert.ToInt64(e.Payload![1], CultureInfo.InvariantCulture) + Convert.ToInt64(e.Payload![3], CultureInfo.InvariantCulture);
                break;
            case SuspendBegin:
                suspendedAt = e.TimeStamp.Ticks;
                break;
            case RestartEnd when suspendedAt != 0:
                var pause = TimeSpan.FromTicks(e.TimeStamp.Ticks - suspendedAt);
                suspendedAt = 0;
                Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{LinePrefix}{generation}\t{pause.Ticks}\t{promoted}"));
                promoted = 0;
                break;
        }
    }

    /// <summary>One collection's pause, as the benchmark received it (<see cref="Stopwatch"/> timestamp).</summary>
    public sealed record Pause(long At, int Generation, TimeSpan Length, long PromotedBytes);

    /// <summary>The pause a server's output line tells, or null for any other line.</summary>
    public static Pause? Parse(string line, long at)
    {
        if (!line.StartsWith(LinePrefix, StringComparison.Ordinal) || line.Split('\t') is not [_, var gen, var ticks, var bytes])
        {
            return null;
        }

        return int.TryParse(gen, NumberStyles.None, CultureInfo.InvariantCulture, out var g)
            && long.TryParse(ticks, NumberStyles.None, CultureInfo.InvariantCulture, out var t)
            && long.TryParse(bytes, NumberStyles.None, CultureInfo.InvariantCulture, out var b)
                ? new Pause(at, g, TimeSpan.FromTicks(t), b)
                : null;
    }

    /// <summary>A phase's pauses on every server, per placed pod, for its line of output.</summary>
    public static string Describe(IReadOnlyList<Pause> pauses, int placed, TimeSpan elapsed, int servers)
    {
        if (pauses.Count == 0)
        {
            return "servers' collector: no pause";
        }

        var total = pauses.Aggregate(TimeSpan.Zero, (sum, p) => sum + p.Length);
        var byGeneration = string.Join(", ", pauses.GroupBy(p => p.Generation).OrderBy(g => g.Key)
            .Select(g => string.Create(CultureInfo.InvariantCulture, $"{g.Count()} gen{g.Key} of {g.Average(p => p.Length.TotalMilliseconds):0} ms")));
        var promoted = pauses.Sum(p => p.PromotedBytes);
        return string.Create(CultureInfo.InvariantCulture,
            $"servers' collector: {pauses.Count} pauses ({byGeneration} on average), {total.TotalMilliseconds:0} ms in all ({total / (elapsed * servers):0%} of each server's time), "
            + $"longest {pauses.Max(p => p.Length).TotalMilliseconds:0} ms; {(placed == 0 ? 0 : promoted / 1024.0 / placed):0.0} kB promoted out of gen0 and gen1 a placed pod");
    }
}
