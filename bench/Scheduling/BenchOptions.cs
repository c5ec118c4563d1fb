using System.Globalization;
using FleetPods.Grains.Nodes;
using FleetPods.Silo;

namespace FleetPods.Bench.Scheduling;

/// <summary>What one benchmark run does, from its command line.</summary>
/// <param name="Units">K: the pods are started as this many units of about M/K pods each.</param>
/// <param name="Servers">S: server silos, one Orleans cluster on one PostgreSQL database.</param>
/// <param name="DbPoolSize">P: each server's bounded Npgsql pool; the run fails if the database ever holds more than S × P connections.</param>
/// <param name="LaunchDelay">How long a simulated agent takes from RunPod to reporting the pod running.</param>
/// <param name="MinHeartbeatPeriod">The servers' shortest period between an agent's beats; each agent beats when its server's last answer said.</param>
/// <param name="MaxHeartbeatsPerSecond">The most beats a second each server paces its agents to: past it their period grows.</param>
/// <param name="KillAfter">When to kill the agent holding the most pods (its pods must run elsewhere), or null for none.</param>
/// <param name="KillEvery">After the first kill (at <see cref="KillAfter"/>, else at this), kill the agent holding the most pods again every this long until every pod runs.</param>
/// <param name="KillServerAfter">When to kill the last server silo (SIGKILL), or null for none.</param>
/// <param name="ArrivalRate">Pods per second arriving on a fixed schedule (a unit at a time), or null for a batch submit.</param>
/// <param name="Steady">A batch submit first, then a steady arrival of as many pods again at 80% of the batch's placements/s.</param>
/// <param name="CountCalls">Count every grain call the servers take (<see cref="GrainCallCount"/>) and print them per placed pod.</param>
internal sealed record BenchOptions(
    int Nodes,
    int Pods,
    int Units,
    int Servers,
    int DbPoolSize,
    bool InMemory,
    TimeSpan LaunchDelay,
    TimeSpan MinHeartbeatPeriod,
    int MaxHeartbeatsPerSecond,
    TimeSpan Timeout,
    TimeSpan? KillAfter,
    TimeSpan? KillEvery,
    TimeSpan? KillServerAfter,
    double? ArrivalRate,
    bool Steady,
    bool CountCalls)
{
    public const string Usage =
        "usage: scheduling-bench [--nodes N] [--pods M] [--units K] [--servers S] [--db-pool-size P] [--in-memory] [--launch-delay-ms D] [--heartbeat-s S] [--max-heartbeats-per-s R]\n"
        + "                        [--timeout-s T] [--kill-after-s S] [--kill-every-s K] [--kill-server-after-s S] [--arrival-rate R | --steady] [--count-calls]";

    /// <summary>The steady arrival's share of the batch's placements per second (issue 14: "a steady 80% of the measured throughput").</summary>
    public const double SteadyShare = 0.8;

    /// <summary>Whether anything is killed during the run (units then ask Restart=on-failure, so pods lost with an agent run again).</summary>
    public bool Chaos => KillAfter is not null || KillEvery is not null || KillServerAfter is not null;

    /// <summary>PostgreSQL connections the run's database may hold at most: S × P (docs/scale.md's budget without the reserved and headroom slots).</summary>
    public int ConnectionBudget => Servers * DbPoolSize;

    /// <exception cref="FormatException">A flag is unknown, lacks its value, or has one out of range, or two flags do not go together; the message names them.</exception>
    public static BenchOptions Parse(IReadOnlyList<string> args)
    {
        int nodes = 1000, pods = 10_000, servers = 1, pool = 25, beats = new NodeLivenessOptions().MaxHeartbeatsPerSecond;
        int? units = null, rate = null;
        var inMemory = false;
        var steady = false;
        var countCalls = false;
        var delay = TimeSpan.FromMilliseconds(50);
        var heartbeat = new NodeLivenessOptions().MinHeartbeatPeriod;
        var timeout = TimeSpan.FromMinutes(30);
        TimeSpan? kill = null, every = null, killServer = null;
        for (var i = 0; i < args.Count; i++)
        {
            switch (args[i])
            {
                case "--nodes": nodes = Number(args, ref i, 1, 1_000_000); break;
                case "--pods": pods = Number(args, ref i, 1, 10_000_000); break;
                case "--units": units = Number(args, ref i, 1, 1_000_000); break;
                case "--servers": servers = Number(args, ref i, 1, 9); break;
                case "--db-pool-size": pool = Number(args, ref i, 1, 1000); break;
                case "--in-memory": inMemory = true; break;
                case "--launch-delay-ms": delay = TimeSpan.FromMilliseconds(Number(args, ref i, 0, 600_000)); break;
                // Not below an agent's own least wait between beats (NodeAgent.RetryPeriod), which the simulated ones keep too.
                case "--heartbeat-s": heartbeat = TimeSpan.FromSeconds(Number(args, ref i, (int)NodeAgent.RetryPeriod.TotalSeconds, 3600)); break;
                case "--max-heartbeats-per-s": beats = Number(args, ref i, 1, 1_000_000); break;
                case "--timeout-s": timeout = TimeSpan.FromSeconds(Number(args, ref i, 1, 7 * 86400)); break;
                case "--kill-after-s": kill = TimeSpan.FromSeconds(Number(args, ref i, 0, 7 * 86400)); break;
                case "--kill-every-s": every = TimeSpan.FromSeconds(Number(args, ref i, 1, 7 * 86400)); break;
                case "--kill-server-after-s": killServer = TimeSpan.FromSeconds(Number(args, ref i, 0, 7 * 86400)); break;
                case "--arrival-rate": rate = Number(args, ref i, 1, 1_000_000); break;
                case "--steady": steady = true; break;
                case "--count-calls": countCalls = true; break;
                default: throw new FormatException($"unknown argument '{args[i]}'");
            }
        }

        var k = units ?? Math.Max(1, pods / 100);
        return k > pods ? throw new FormatException($"--units {k} is more than --pods {pods}: every unit needs a pod")
            : (kill ?? every) is not null && nodes < 2 ? throw new FormatException("--kill-after-s and --kill-every-s need --nodes 2 or more: a killed node's pods must run elsewhere")
            : killServer is not null && servers < 2 ? throw new FormatException("--kill-server-after-s needs --servers 2 or more: the killed server's grains must reactivate on another")
            : servers > 1 && inMemory ? throw new FormatException("--servers 2 or more needs PostgreSQL, not --in-memory: Orleans' memory storage dies with its silo")
            : rate is not null && steady ? throw new FormatException("--arrival-rate and --steady do not go together: --steady takes its rate from the batch it runs first")
            : new BenchOptions(nodes, pods, k, servers, pool, inMemory, delay, heartbeat, beats, timeout, kill, every, killServer, rate, steady, countCalls);
    }

    private static string Value(IReadOnlyList<string> args, ref int i) =>
        ++i < args.Count ? args[i] : throw new FormatException($"{args[i - 1]} needs a value");

    private static int Number(IReadOnlyList<string> args, ref int i, int min, int max)
    {
        var flag = args[i];
        var text = Value(args, ref i);
        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= min && n <= max
            ? n
            : throw new FormatException($"{flag} '{text}' is not a whole number from {min} to {max}");
    }
}
