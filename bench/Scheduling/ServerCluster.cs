using System.Net;
using FleetPods.Tests;

namespace FleetPods.Bench.Scheduling;

/// <summary>
/// The run's S server silos, each a child process with its own silo and gateway port, forming one Orleans cluster on
/// the run's PostgreSQL database (alone in memory for S = 1 with <c>--in-memory</c>). The benchmark's client is given
/// every gateway.
/// </summary>
internal sealed class ServerCluster : IAsyncDisposable
{
    private readonly List<ServerProcess> servers;

    private ServerCluster(List<ServerProcess> servers, IReadOnlyList<IPEndPoint> gateways)
    {
        this.servers = servers;
        Gateways = gateways;
    }

    public IReadOnlyList<ServerProcess> Servers => servers;

    public IReadOnlyList<IPEndPoint> Gateways { get; }

    /// <summary>The servers' peak resident sets added up (a killed one's until it was killed), in bytes.</summary>
    public long PeakBytes => servers.Sum(s => s.PeakBytes);

    /// <summary>The CPU time the servers have used, added up (a killed one's until it was killed).</summary>
    public TimeSpan CpuTime => servers.Aggregate(TimeSpan.Zero, (sum, s) => sum + s.CpuTime);

    /// <summary>Every server's collector pauses between two <see cref="System.Diagnostics.Stopwatch"/> timestamps.</summary>
    public IReadOnlyList<CollectorPauses.Pause> PausesBetween(long from, long to) => [.. servers.SelectMany(s => s.PausesBetween(from, to))];

    /// <summary>The first server starts alone (it makes the cluster), the others then join it side by side.</summary>
    /// <param name="caCertificate">The run's CA certificate file, whose node certificates the servers let attach.</param>
    /// <param name="minHeartbeatPeriod">The servers' shortest period between an agent's beats (NodeLivenessOptions.MinHeartbeatPeriod).</param>
    /// <param name="maxHeartbeatsPerSecond">The most beats a second each server paces its agents to (NodeLivenessOptions.MaxHeartbeatsPerSecond).</param>
    public static async Task<ServerCluster> Start(int count, TimeSpan minHeartbeatPeriod, int maxHeartbeatsPerSecond, string? cluster, string caCertificate, bool countCalls)
    {
        var ports = Enumerable.Range(0, count).Select(_ => (Silo: TestPorts.Reserve(), Gateway: TestPorts.Reserve())).ToArray();
        var started = new List<ServerProcess> { await ServerProcess.Start(0, ports[0].Silo, ports[0].Gateway, minHeartbeatPeriod, maxHeartbeatsPerSecond, cluster, caCertificate, countCalls) };
        var joining = Enumerable.Range(1, count - 1).Select(i => ServerProcess.Start(i, ports[i].Silo, ports[i].Gateway, minHeartbeatPeriod, maxHeartbeatsPerSecond, cluster, caCertificate, countCalls)).ToList();
        try
        {
            await Task.WhenAll(joining);
        }
        catch
        {
            // Every server that did start is stopped before the first failure is reported.
            foreach (var server in started.Concat(joining.Where(j => j.IsCompletedSuccessfully).Select(j => j.Result)))
            {
                await server.DisposeAsync();
            }

            throw;
        }

        started.AddRange(joining.Select(j => j.Result));

        return new ServerCluster(started, [.. ports.Select(p => new IPEndPoint(IPAddress.Loopback, p.Gateway))]);
    }

    /// <summary>Every live server's grain calls by method, added up; each server exits as it is asked (<see cref="ServerProcess.StopForCalls"/>).</summary>
    public async Task<IReadOnlyDictionary<string, long>> StopForCalls()
    {
        var counts = await Task.WhenAll(servers.Select(s => s.StopForCalls(TimeSpan.FromSeconds(30))));
        return counts.SelectMany(c => c).GroupBy(c => c.Method, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Sum(c => c.Count), StringComparer.Ordinal);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var server in servers)
        {
            await server.DisposeAsync();
        }
    }
}
