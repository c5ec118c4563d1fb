using System.Globalization;
using System.Text.Json;

namespace FleetPods.EndToEnd.Tests;

/// <summary>
/// Three real fleetpodsd processes whose database fails them while pods start, run, exit and are killed: their
/// database (a PostgreSQL server of the test's own) refuses their new connections (53300 too_many_connections) and
/// terminates the ones they have (57P01) until a node has given up reporting a pod's end. Once the database recovers, no pod
/// may be listed in a phase its node contradicts: every pod listed running has a live process on its node, and
/// every live pod process is listed running; and the daemons hold no more connections than their pools allow.
/// </summary>
public sealed class StateWriteFailureTests : IClassFixture<BusyboxImage>, IAsyncLifetime
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(180);
    private static readonly TimeSpan OutageWithin = TimeSpan.FromSeconds(240);
    private static readonly string[] NodeNames = ["wf-a", "wf-b", "wf-c"];
    private const int Steady = 6;
    private readonly BusyboxImage image;
    private readonly string databaseName = $"fleetpods_e2e_{Guid.NewGuid():N}";
    private readonly string units = Directory.CreateTempSubdirectory("fleetpods-writefail-units-").FullName;
    private readonly PrivatePostgresServer server = new();
    private DaemonCluster? cluster;

    public StateWriteFailureTests(BusyboxImage image) => this.image = image;

    private IReadOnlyList<FleetPodsDaemon> Nodes => cluster?.Nodes ?? [];

    public async Task InitializeAsync()
    {
        try
        {
            cluster = await DaemonCluster.StartOn(await server.StartWithDatabase(databaseName), image, NodeNames);
        }
        catch
        {
            // xUnit does not dispose a test whose start failed; its server must not outlive it.
            await DisposeAsync();
            throw;
        }
    }

    public async Task DisposeAsync()
    {
        if (cluster is not null)
        {
            await cluster.DisposeAsync();
        }

        await server.DisposeAsync();
        Directory.Delete(units, recursive: true);
    }

    [RequiresFact(Requires.Root)]
    public async Task After_the_database_refused_and_dropped_connections_no_pod_is_listed_in_a_phase_its_node_contradicts()
    {
        await StartUnit("steady.pod", $"Count={Steady}\nRestart=always");
        var steady = await Until(async () => (await Listed()).Where(p => p.Unit == "steady.pod" && p.Phase == "running").ToList(), r => r.Count == Steady, $"{Steady} running pods of steady.pod");

        // The outage: the database refuses every new connection of the daemons' role and its open ones are terminated,
        // while pods are killed and others start and exit. It lasts until the killed pods are gone and a node has failed
        // to tell the cluster what it runs: given up reporting a pod's end, or failed a reconcile round (every 15 s).
        // Which of the two comes first depends on the machine's speed; either leaves the cluster's view behind the node's.
        // A node gives up a report after 30 s of attempts, and rounds wait for the report in hand, so the outage is
        // given longer than the other waits.
        await server.Execute($"ALTER DATABASE {databaseName} CONNECTION LIMIT 0");

        // The daemons' open connections are gone before any pod is killed (each terminate waits up to 5 s for its
        // backend to exit): a pod's end written on a connection left in a pool would leave the cluster agreeing with
        // its node, and the outage, with nothing to fail, would never end.
        await DropConnections();
        using var calm = new CancellationTokenSource();
        var storm = Task.Run(async () =>
        {
            while (!calm.IsCancellationRequested)
            {
                await Task.Delay(150, CancellationToken.None);
                await DropConnections();
            }
        });
        var killed = steady.Take(2).Select(AppPid).ToList();
        foreach (var pid in killed)
        {
            await Processes.Run("kill", ["-KILL", pid.ToString(CultureInfo.InvariantCulture)], TimeSpan.FromSeconds(10));
        }

        var brief = StartUnitIfAnswered("brief.pod", "Count=3\nRestart=no", "/bin/sleep 2");
        await Until(
            () => Task.FromResult(Nodes.Any(n => n.Log.Contains("Could not report pod", StringComparison.Ordinal)
                || n.Log.Contains("could not reconcile its pods with the cluster", StringComparison.Ordinal))),
            missed => missed && killed.All(pid => !IsAlive(pid)),
            "the killed pods gone and a node failing to tell the cluster what it runs",
            OutageWithin);
        await calm.CancelAsync();
        await storm;
        await server.Execute($"ALTER DATABASE {databaseName} CONNECTION LIMIT -1");
        await brief;
        Assert.Contains(Nodes, n => n.Log.Contains("57P01", StringComparison.Ordinal) || n.Log.Contains("53300", StringComparison.Ordinal));

        // The database is back: what the cluster lists must agree with what the nodes run.
        (List<Pod> Listed, HashSet<string> Live) seen = ([], []);
        await Until(
            async () => seen = (await Listed(), LivePods()),
            s => s.Listed.Count(p => p.Unit == "steady.pod" && p.Phase == "running") == Steady
                && s.Listed.Where(p => p.Phase == "running").Select(p => p.Id).ToHashSet().SetEquals(s.Live),
            "every pod listed running to run, every running pod to be listed running, and steady.pod to run " + Steady);
        Assert.All(seen.Listed.Where(p => p.Phase == "running"), p => Assert.True(IsAlive(AppPid(p)), $"pod {p.Id} is listed running on {p.Node} and runs there"));

        // Each daemon's pool is bounded (--db-pool-size, default 10), even after a storm of reconnects.
        Assert.InRange(await server.Execute($"SELECT count(*) FROM pg_stat_activity WHERE datname = '{databaseName}'"), 1, NodeNames.Length * 10);
    }

    private Task<long> DropConnections() =>
        server.Execute($"SELECT count(pg_terminate_backend(pid, 5000)) FROM pg_stat_activity WHERE datname = '{databaseName}'");

    private sealed record Pod(string Id, string? Unit, string Phase, string Node);

    // The pod's "pid" record holds "<supervisor pid> <app pid>".
    private int AppPid(Pod pod)
    {
        var record = Path.Combine(Nodes.Single(n => n.NodeName == pod.Node).DataDirectory, "pods", pod.Id, "pid");
        return File.Exists(record) ? int.Parse(File.ReadAllText(record).Split(' ')[1], CultureInfo.InvariantCulture) : 0;
    }

    // A process that exists and is not a zombie waiting to be reaped.
    private static bool IsAlive(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return pid > 0 && stat[stat.LastIndexOf(')') + 2] is not ('Z' or 'X');
        }
        catch (IOException)
        {
            return false;
        }
    }

    // The ids of the pods whose app really runs on some node, read from the nodes' pod directories.
    private HashSet<string> LivePods() =>
        [.. Nodes.SelectMany(n => Directory.Exists(Path.Combine(n.DataDirectory, "pods")) ? Directory.GetDirectories(Path.Combine(n.DataDirectory, "pods")) : [])
            .Where(dir => File.Exists(Path.Combine(dir, "pid")) && !File.Exists(Path.Combine(dir, "exit"))
                && File.ReadAllText(Path.Combine(dir, "pid")).Split(' ') is [_, var app, ..]
                && IsAlive(int.Parse(app, CultureInfo.InvariantCulture)))
            .Select(Path.GetFileName)
            .OfType<string>()];

    private async Task StartUnit(string name, string pod, string exec = "/bin/sleep 1000")
    {
        var started = await Cli("start", await WriteUnit(name, pod, exec));
        Assert.True(started.ExitCode == 0, started.ToString());
    }

    // During the outage a command may fail or time out like any other client of a failing database; what matters is
    // what the cluster lists after.
    private async Task StartUnitIfAnswered(string name, string pod, string exec)
    {
        try
        {
            await Cli("start", await WriteUnit(name, pod, exec));
        }
        catch (TimeoutException)
        {
            // The command gave up; the cluster is still checked below.
        }
    }

    private async Task<string> WriteUnit(string name, string pod, string exec)
    {
        var path = Path.Combine(units, name);
        // Network=none: the three daemons share this one machine, and with it the default pod network's bridge.
        await File.WriteAllTextAsync(path, $"[Pod]\nImage=example.com/busybox\nExec={exec}\nNetwork=none\n{pod}\n");
        return path;
    }

    private Task<CommandResult> Cli(params string[] arguments) => cluster!.Cli(arguments);

    private async Task<List<Pod>> Listed()
    {
        var result = await Cli("list-pods", "--output", "json");
        return result.ExitCode != 0 ? [] :
            [.. JsonDocument.Parse(result.Stdout).RootElement.EnumerateArray().Select(p => new Pod(
                p.GetProperty("id").GetString()!, p.GetProperty("unitName").GetString(), p.GetProperty("phase").GetString()!, p.GetProperty("nodeName").GetString() ?? ""))];
    }

    private async Task<T> Until<T>(Func<Task<T>> read, Func<T, bool> done, string what, TimeSpan? within = null)
    {
        var deadline = DateTime.UtcNow + (within ?? Within);
        T last;
        while (!done(last = await read()))
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting for {what}; last seen: {Describe(last)}\n{string.Join("\n", Nodes.Select(n => $"--- {n.NodeName}\n{Tail(n.Log)}"))}");
            await Task.Delay(250);
        }

        return last;
    }

    private static string Describe<T>(T value) => value is ValueTuple<List<Pod>, HashSet<string>> seen
        ? $"listed {string.Join(", ", seen.Item1.Select(p => $"{p.Id[..8]} {p.Unit} {p.Phase} on {p.Node}"))}; live {string.Join(", ", seen.Item2.Select(id => id[..8]))}"
        : value is IEnumerable<Pod> pods ? string.Join(", ", pods.Select(p => $"{p.Id[..8]} {p.Unit} {p.Phase}")) : $"{value}";

    private static string Tail(string log) => log.Length > 6000 ? log[^6000..] : log;
}
