using System.Diagnostics;
using System.Globalization;

namespace FleetPods.Bench.Scheduling;

/// <summary>
/// The CPU time a phase cost, per placed pod: the servers', this process's (its agents and submitter), and the rest of
/// the machine's (PostgreSQL, mostly). Steadier than placements/s on a shared machine, so two builds compare by it too.
/// </summary>
internal sealed record PhaseCpu(TimeSpan Servers, TimeSpan Benchmark, TimeSpan Machine, TimeSpan Elapsed)
{
    // /proc/stat's user, nice, system, irq and softirq columns of its first line (every core), in ticks of 1/100 s.
    private static readonly int[] BusyColumns = [1, 2, 3, 6, 7];

    /// <summary>The counters now; <see cref="Running.Stop"/> gives what was used since.</summary>
    public static Running Start(ServerCluster servers) => new(servers, Sample.Of(servers));

    public string Describe(int placed)
    {
        double PerPod(TimeSpan used) => placed == 0 ? 0 : used.TotalMilliseconds / placed;
        var rest = Machine - Servers - Benchmark;
        return $"CPU per placed pod: servers {PerPod(Servers):0.000} ms, this process (agents, submitter) {PerPod(Benchmark):0.000} ms, "
            + $"the rest of the machine (PostgreSQL, …) {PerPod(rest < TimeSpan.Zero ? TimeSpan.Zero : rest):0.000} ms; "
            + $"the machine's {Environment.ProcessorCount} cores {Machine / (Elapsed * Environment.ProcessorCount):0%} busy";
    }

    internal sealed record Sample(TimeSpan Servers, TimeSpan Benchmark, TimeSpan Machine, long At)
    {
        public static Sample Of(ServerCluster servers) => new(servers.CpuTime, Environment.CpuUsage.TotalTime, MachineBusy(), Stopwatch.GetTimestamp());

        private static TimeSpan MachineBusy()
        {
            var fields = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries);
            return TimeSpan.FromMilliseconds(BusyColumns.Sum(i => long.Parse(fields[i], CultureInfo.InvariantCulture)) * 10);
        }
    }

    internal sealed class Running(ServerCluster servers, Sample start)
    {
        public PhaseCpu Stop()
        {
            var end = Sample.Of(servers);
            return new(end.Servers - start.Servers, end.Benchmark - start.Benchmark, end.Machine - start.Machine, Stopwatch.GetElapsedTime(start.At, end.At));
        }
    }
}
