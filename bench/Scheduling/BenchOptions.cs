using System.Globalization;

namespace FleetPods.Bench.Scheduling;

/// <summary>What one benchmark run does, from its command line.</summary>
/// <param name="Units">K: the pods are started as this many units of about M/K pods each.</param>
/// <param name="LaunchDelay">How long a simulated agent takes from RunPod to reporting the pod running.</param>
/// <param name="HeartbeatPeriod">How often each simulated agent beats; the server declares a node down after five missed.</param>
/// <param name="KillAfter">When to kill the agent holding the most pods (its pods must run elsewhere), or null for none.</param>
internal sealed record BenchOptions(
    int Nodes,
    int Pods,
    int Units,
    bool InMemory,
    TimeSpan LaunchDelay,
    TimeSpan HeartbeatPeriod,
    TimeSpan Timeout,
    TimeSpan? KillAfter)
{
    public const string Usage =
        "usage: scheduling-bench [--nodes N] [--pods M] [--units K] [--in-memory] [--launch-delay-ms D] [--heartbeat-s S] [--timeout-s T] [--kill-after-s S]";

    /// <summary>The server declares an agent's node down after this long without a beat.</summary>
    public TimeSpan HeartbeatTimeout => HeartbeatPeriod * 5;

    /// <exception cref="FormatException">A flag is unknown, lacks its value, or has one out of range; the message names it.</exception>
    public static BenchOptions Parse(IReadOnlyList<string> args)
    {
        int nodes = 1000, pods = 10_000;
        int? units = null;
        var inMemory = false;
        var delay = TimeSpan.FromMilliseconds(50);
        var heartbeat = TimeSpan.FromSeconds(2);
        var timeout = TimeSpan.FromMinutes(30);
        TimeSpan? kill = null;
        for (var i = 0; i < args.Count; i++)
        {
            switch (args[i])
            {
                case "--nodes": nodes = Number(args, ref i, 1, 1_000_000); break;
                case "--pods": pods = Number(args, ref i, 1, 10_000_000); break;
                case "--units": units = Number(args, ref i, 1, 1_000_000); break;
                case "--in-memory": inMemory = true; break;
                case "--launch-delay-ms": delay = TimeSpan.FromMilliseconds(Number(args, ref i, 0, 600_000)); break;
                case "--heartbeat-s": heartbeat = TimeSpan.FromSeconds(Number(args, ref i, 1, 3600)); break;
                case "--timeout-s": timeout = TimeSpan.FromSeconds(Number(args, ref i, 1, 7 * 86400)); break;
                case "--kill-after-s": kill = TimeSpan.FromSeconds(Number(args, ref i, 0, 7 * 86400)); break;
                default: throw new FormatException($"unknown argument '{args[i]}'");
            }
        }

        var k = units ?? Math.Max(1, pods / 100);
        return k > pods ? throw new FormatException($"--units {k} is more than --pods {pods}: every unit needs a pod")
            : kill is not null && nodes < 2 ? throw new FormatException("--kill-after-s needs --nodes 2 or more: the killed node's pods must run elsewhere")
            : new BenchOptions(nodes, pods, k, inMemory, delay, heartbeat, timeout, kill);
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
