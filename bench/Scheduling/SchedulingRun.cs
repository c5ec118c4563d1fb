using System.Diagnostics;
using System.Globalization;
using System.Net;
using FleetPods.Grains;
using FleetPods.Silo;
using FleetPods.Tests;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;
using Orleans.Configuration;
using Polly;
using Polly.Retry;

namespace FleetPods.Bench.Scheduling;

/// <summary>
/// One run: a fresh PostgreSQL database (or none, in memory), the server silo, N simulated agents attached through
/// this process's client, then M pods as K units started as <c>POST /v1/units/start</c> starts them (submit then
/// start, 32 units at a time), until every pod is reported running.
/// </summary>
internal static class SchedulingRun
{
    // As the API's batch start (UnitsApi.BatchParallelism).
    private const int SubmitParallelism = 32;
    private const int AttachParallelism = 64;

    // One server's bounded pool, as the connection budget in docs/scale.md counts it; its connections carry the name.
    private const int ServerPoolSize = 25;
    private const string ServerApplicationName = "fleetpods-bench-server";
    private static readonly TimeSpan ProgressPeriod = TimeSpan.FromSeconds(5);

    // Right after a run, autovacuum (a superuser's process, which DROP DATABASE … WITH (FORCE) may not end) can be in it.
    private static readonly ResiliencePipeline DropRetry = new ResiliencePipelineBuilder()
        .AddRetry(new RetryStrategyOptions
        {
            MaxRetryAttempts = 30,
            Delay = TimeSpan.FromSeconds(2),
            ShouldHandle = new PredicateBuilder().Handle<PostgresException>(ex => ex.SqlState is PostgresErrorCodes.InsufficientPrivilege or PostgresErrorCodes.ObjectInUse),
        })
        .Build();

    public static async Task<int> Execute(BenchOptions options)
    {
        Say($"{options.Nodes} simulated agents, {options.Pods} pods as {options.Units} units, storage {(options.InMemory ? "in memory" : "PostgreSQL")}, "
            + $"{Environment.ProcessorCount} cores, launch delay {options.LaunchDelay.TotalMilliseconds:0} ms, heartbeat {options.HeartbeatPeriod.TotalSeconds:0} s");
        string? database = null;
        string? cluster = null;
        if (!options.InMemory)
        {
            if (await TestPostgresServer.Unreachable() is { } why)
            {
                throw new InvalidOperationException($"this benchmark runs on PostgreSQL (or --in-memory beside it): {why}; start it with sudo ./deploy/start-postgres.sh");
            }

            database = $"fleetpods_bench_{Guid.NewGuid():N}"[..28];
            var connection = await TestPostgresServer.CreateDatabase(database);
            await PostgresClusterDatabase.InitializeAsync(connection);
            cluster = new NpgsqlConnectionStringBuilder(PostgresClusterDatabase.WithPoolSize(connection, ServerPoolSize)) { ApplicationName = ServerApplicationName }.ConnectionString;
        }

        try
        {
            var gateway = TestPorts.Reserve();
            await using var server = await ServerProcess.Start(TestPorts.Reserve(), gateway, options.HeartbeatTimeout, cluster);
            using var clientHost = await Connect(gateway, options.Timeout);
            var client = clientHost.Services.GetRequiredService<IClusterClient>();
            return await Measure(options, server, client, cluster);
        }
        finally
        {
            if (database is not null)
            {
                await DropRetry.ExecuteAsync(async _ => await TestPostgresServer.DropDatabase(database));
            }
        }
    }

    private static async Task<int> Measure(BenchOptions options, ServerProcess server, IClusterClient client, string? cluster)
    {
        var heapBefore = GC.GetTotalMemory(forceFullCollection: true);
        var attaching = Stopwatch.StartNew();
        await using var fleet = await SimulatedFleet.Attach(client, options.Nodes, options.LaunchDelay, options.HeartbeatPeriod, AttachParallelism);
        var heapPerAgent = (GC.GetTotalMemory(forceFullCollection: true) - heapBefore) / (double)options.Nodes;
        Say($"attached {options.Nodes} agents in {attaching.Elapsed.TotalSeconds:0.0} s; {heapPerAgent / 1024:0.0} kB of this process's heap each; server at {server.CurrentBytes >> 20} MiB");

        var units = Enumerable.Range(0, options.Units)
            .Select(i => (Name: $"bench-{i:D6}.pod", Count: options.Pods / options.Units + (i < options.Pods % options.Units ? 1 : 0)))
            .ToArray();
        var started = Stopwatch.GetTimestamp();
        var failedStarts = 0;
        var submitting = Parallel.ForEachAsync(units, new ParallelOptions { MaxDegreeOfParallelism = SubmitParallelism }, async (unit, _) =>
        {
            var grain = client.GetGrain<IUnitGrain>(unit.Name);
            var submitted = await grain.Submit(unit.Name, UnitText(unit.Count, restart: options.KillAfter is not null));
            if (!submitted.Succeeded)
            {
                throw new InvalidOperationException($"{unit.Name} was refused: {string.Join("; ", submitted.Errors)}");
            }

            try
            {
                await grain.Start();
            }
            catch (Exception ex) when (ex is OrleansException or TimeoutException or FleetPodsException)
            {
                // As the API's batch start answers that unit with an error: the unit is launched, and makes the pods
                // it still lacks when it next reconciles (each pod's running report makes it). The run waits for them.
                if (Interlocked.Increment(ref failedStarts) == 1)
                {
                    var line = ex.Message.Split('\n')[0];
                    Say($"a unit's start failed (the first; more are counted): {line[..Math.Min(200, line.Length)]}");
                }
            }
        });

        var (done, killed) = await WaitForAllRunning(options, fleet, submitting, started);
        var elapsed = Stopwatch.GetElapsedTime(started, fleet.LastRunningAt);
        var peak = server.PeakBytes;
        var (placed, latencies, onKilled) = await Check(client, units, fleet, killed?.Name);
        var podsPerNode = fleet.Nodes.Where(n => n != killed).Select(n => n.PodCount).ToArray();
        if (killed is not null)
        {
            Say($"{killed.Name}, killed with {killed.PodCount} pods ({killed.RunningAcknowledged} running), is listed with {onKilled} running pods now");
        }

        Say($"{placed} of {options.Pods} pods placed and running, {fleet.Launched} launched on agents, {failedStarts} unit starts failed, {fleet.FailedCalls} failed agent calls, {fleet.Reattached} re-attachments; "
            + $"pods per node {podsPerNode.Min()}–{podsPerNode.Max()}; submit to all running {elapsed.TotalSeconds:0.0} s");
        if (cluster is not null)
        {
            Say($"PostgreSQL connections the server holds now: {await Connections(cluster)} (its pool is bounded at {ServerPoolSize}; agents hold none)");
        }

        var ok = done && placed == options.Pods && onKilled == 0;
        if (!ok)
        {
            Say($"FAILED: {options.Pods - placed} pods were not placed and running{(done ? "" : " before the run gave up")}");
        }

        Console.WriteLine(Figures.Of(fleet.Running - (killed?.RunningAcknowledged ?? 0), elapsed, latencies, podsPerNode, peak));
        return ok ? 0 : 1;
    }

    // Until every pod is reported running. A killed node's pods that had run are run again elsewhere, each reported
    // running once more, so they are waited for twice.
    private static async Task<(bool Done, SimulatedNode? Killed)> WaitForAllRunning(BenchOptions options, SimulatedFleet fleet, Task submitting, long started)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(options.Timeout.TotalSeconds * Stopwatch.Frequency);
        var nextProgress = ProgressPeriod;
        SimulatedNode? killed = null;
        while (fleet.Running < options.Pods + (killed?.RunningAcknowledged ?? 0) || (killed is null && options.KillAfter is not null))
        {
            if (submitting.IsFaulted)
            {
                Say($"submitting failed: {submitting.Exception!.InnerException!.Message}");
                return (false, killed);
            }

            if (Stopwatch.GetTimestamp() > deadline)
            {
                return (false, killed);
            }

            if (killed is null && options.KillAfter is { } after && Stopwatch.GetElapsedTime(started) >= after)
            {
                killed = fleet.Nodes.MaxBy(n => n.PodCount)!;
                killed.Kill();
                Say($"killed {killed.Name} at {Stopwatch.GetElapsedTime(started).TotalSeconds:0.0} s, holding {killed.PodCount} pods ({killed.RunningAcknowledged} reported running)");
            }

            if (Stopwatch.GetElapsedTime(started) >= nextProgress)
            {
                await Console.Error.WriteLineAsync($"  {nextProgress.TotalSeconds:0} s: {fleet.Launched} launched, {fleet.Running} running");
                nextProgress += ProgressPeriod;
            }

            await Task.Delay(100);
        }

        await submitting;
        return (true, killed);
    }

    // Every unit's pods as the cluster lists them: how many run on a live node, how many still on the killed one, and each
    // one's creation-to-launch time.
    private static async Task<(int Placed, List<double> LatenciesMs, int OnKilled)> Check(
        IClusterClient client, IEnumerable<(string Name, int Count)> units, SimulatedFleet fleet, string? killed)
    {
        var placed = 0;
        var onKilled = 0;
        var latencies = new List<double>();
        await Parallel.ForEachAsync(units, new ParallelOptions { MaxDegreeOfParallelism = SubmitParallelism }, async (unit, _) =>
        {
            var status = await client.GetGrain<IUnitGrain>(unit.Name).GetStatus();
            var running = (status?.Pods ?? []).Where(p => p is { Phase: PodPhase.Running, NodeName: not null }).ToList();
            var times = running.Where(p => fleet.LaunchedAt.ContainsKey(p.Id)).Select(p => (fleet.LaunchedAt[p.Id] - p.CreatedAt).TotalMilliseconds).ToList();
            var stale = running.Count(p => p.NodeName == killed);
            lock (latencies)
            {
                placed += running.Count - stale;
                onKilled += stale;
                latencies.AddRange(times);
            }
        });
        return (placed, latencies, onKilled);
    }

    // With a node killed, pods launched onto it before it is declared down fail there; Restart=on-failure runs them
    // again elsewhere (with the unit's back-off), as an operator who cares about a dead node's pods would ask.
    private static string UnitText(int count, bool restart) =>
        $"[Pod]\nImage=example.com/busybox\nExec=/bin/sleep 1000\nMemory=64M\nCPU=100m\nCount={count.ToString(CultureInfo.InvariantCulture)}\n"
        + (restart ? "Restart=on-failure\n" : "");

    private static async Task<IHost> Connect(int gateway, TimeSpan responseTimeout)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.UseOrleansClient(client =>
        {
            client.Configure<ClusterOptions>(o => (o.ClusterId, o.ServiceId) = (ServerSilo.ClusterId, ServerSilo.ClusterId));
            client.UseStaticClustering(new IPEndPoint(IPAddress.Loopback, gateway));

            // A unit's start places its pods one after another; at thousands of nodes that outlasts Orleans' 30 s default.
            client.Configure<ClientMessagingOptions>(o => o.ResponseTimeout = responseTimeout);
        });
        var host = builder.Build();
        await host.StartAsync();
        return host;
    }

    private static async Task<long> Connections(string cluster)
    {
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(cluster) { Pooling = false, ApplicationName = "fleetpods-bench" }.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND application_name = @name", connection);
        command.Parameters.AddWithValue("name", ServerApplicationName);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private static void Say(string line) => Console.WriteLine(line);
}
