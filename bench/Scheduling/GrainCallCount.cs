using System.Collections.Concurrent;
using System.Globalization;

namespace FleetPods.Bench.Scheduling;

/// <summary>
/// With <c>--count-calls</c>: every grain call a server silo takes, by interface and method, and every call it makes to
/// an agent's observer (<c>INodeAgent</c>). The server's CPU now goes mostly to Orleans' messaging, so calls per placed
/// pod is the figure a change to the protocol moves. The server prints its counts when its parent closes its stdin.
/// </summary>
internal sealed class GrainCallCount : IIncomingGrainCallFilter, IOutgoingGrainCallFilter
{
    /// <summary>Set (to 1) in a server's environment to count its calls.</summary>
    public const string Variable = "FLEETPODS_BENCH_COUNT_CALLS";

    private const string LinePrefix = "calls\t";

    private readonly ConcurrentDictionary<string, long> counts = new(StringComparer.Ordinal);

    public Task Invoke(IIncomingGrainCallContext context)
    {
        Count(context.InterfaceName, context.MethodName);
        return context.Invoke();
    }

    public Task Invoke(IOutgoingGrainCallContext context)
    {
        if (context.TargetId.IsClient())
        {
            Count(context.InterfaceName, context.MethodName);
        }

        return context.Invoke();
    }

    /// <summary>One line per method, for <see cref="Parse"/>.</summary>
    public IEnumerable<string> Lines() => counts.Select(c => string.Create(CultureInfo.InvariantCulture, $"{LinePrefix}{c.Key}\t{c.Value}"));

    /// <summary>The counts in a server's output lines; other lines are ignored.</summary>
    public static IEnumerable<(string Method, long Count)> Parse(IEnumerable<string> lines) =>
        lines.Where(l => l.StartsWith(LinePrefix, StringComparison.Ordinal)).Select(l => l.Split('\t'))
            .Where(f => f.Length == 3 && long.TryParse(f[2], NumberStyles.None, CultureInfo.InvariantCulture, out _))
            .Select(f => (f[1], long.Parse(f[2], CultureInfo.InvariantCulture)));

    // Orleans gives the interface's full name; its last part says which grain.
    private void Count(string interfaceName, string method) =>
        counts.AddOrUpdate($"{interfaceName[(interfaceName.LastIndexOf('.') + 1)..]}.{method}", 1, (_, n) => n + 1);
}
