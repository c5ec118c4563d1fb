using System.Diagnostics;
using System.Net;
using FleetPods.Grains;
using FleetPods.Silo;
using FleetPods.Tests;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;
using Orleans.Configuration;

namespace FleetPods.Bench.Scheduling;

/// <summary>
/// One run: a fresh PostgreSQL database (or none, in memory), S server silos, N simulated agents attached through this
/// process's client, then M pods as K units, in a batch or arriving at a steady rate (or a batch, then a steady
/// arrival at 80% of its placements/s), until every pod is reported running; agents and a server killed on the way
/// if asked, and the database's connections sampled throughout.
/// </summary>
internal static class SchedulingRun
{
    private const int AttachParallelism = 64;
    private const int CheckParallelism = 32;
    private const string ServerApplicationName = "fleetpods-bench-server";
    private static readonly TimeSpan ProgressPeriod = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan CallTimeout = TimeSpan.FromMinutes(3);

    // A run whose agents report nothing for this long asks the cluster itself whether every pod runs: after a server
    // was killed, an agent's re-attach brings a pod's record up to date without the running report the run counts.
    private static readonly TimeSpan Stalled = TimeSpan.FromSeconds(10);

    public static async Task<int> Execute(BenchOptions options)
    {
        Say($"{options.Nodes} simulated agents, {options.Pods} pods as {options.Units} units, {options.Servers} server silo(s), storage "
            + $"{(options.InMemory ? "in memory" : $"PostgreSQL (pool of {options.DbPoolSize} per server)")}, {Environment.ProcessorCount} cores, "
            + $"servers' collector {(ServerProcess.ServerGc ? "server" : "workstation")}, largest gen0 budget {ServerProcess.Gen0Budget}, launch delay {options.LaunchDelay.TotalMilliseconds:0} ms, heartbeats every {options.MinHeartbeatPeriod.TotalSeconds:0} s or more (at most {options.MaxHeartbeatsPerSecond}/s per server), load average {LoadAverage()}");
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

            // The schema's connection would idle in this process's pool and count against the servers' budget.
            await using (var initialized = new NpgsqlConnection(connection))
            {
                NpgsqlConnection.ClearPool(initialized);
            }

            cluster = new NpgsqlConnectionStringBuilder(PostgresClusterDatabase.WithPoolSize(connection, options.DbPoolSize)) { ApplicationName = ServerApplicationName }.ConnectionString;
        }

        try
        {
            await using var sampler = cluster is null ? null : await ConnectionSampler.Start(cluster, options.ConnectionBudget);
            using var pki = new RunPki();
            await using var servers = await ServerCluster.Start(options.Servers, options.MinHeartbeatPeriod, options.MaxHeartbeatsPerSecond, cluster, pki.CaCertificate, options.CountCalls);
            using var clientHost = await Connect(servers.Gateways, options.Timeout < CallTimeout ? options.Timeout : CallTimeout);
            return await Measure(options, servers, clientHost.Services.GetRequiredService<IClusterClient>(), sampler, pki);
        }
        finally
        {
            if (database is not null)
            {
                await TestPostgresServer.DropDatabase(database);
            }
        }
    }

    private static async Task<int> Measure(BenchOptions options, ServerCluster servers, IClusterClient client, ConnectionSampler? sampler, RunPki pki)
    {
        var heapBefore = GC.GetTotalMemory(forceFullCollection: true);
        await using var fleet = SimulatedFleet.Create(client, options.Nodes, pki, options.LaunchDelay);
        var attaching = Stopwatch.StartNew();
        await fleet.AttachAll(AttachParallelism);
        var heapPerAgent = (GC.GetTotalMemory(forceFullCollection: true) - heapBefore) / (double)options.Nodes;
        Say($"issued {options.Nodes} node certificates in {pki.Issuing.TotalSeconds:0.0} s; attached {options.Nodes} agents, each proving its node, in {attaching.Elapsed.TotalSeconds:0.0} s; "
            + $"{heapPerAgent / 1024:0.0} kB of this process's heap each; servers at {string.Join(" + ", servers.Servers.Select(s => $"{s.CurrentBytes >> 20}"))} MiB");

        var run = new Run(options, servers, client, fleet, new ChaosSchedule(options, fleet, servers), Stopwatch.GetTimestamp());
        var first = await run.Phase("bench", options.ArrivalRate);
        var last = first;
        if (options.Steady && first.Ok)
        {
            Say($"batch: {first.Figures}");
            last = await run.Phase("steady", first.Figures.PlacementsPerSecond * BenchOptions.SteadyShare);
        }

        // Every pod of every phase, once more: those of a batch must still run after the steady phase's kills.
        var ok = first.Ok && last.Ok && (first == last || (await run.Check(first.Units)).AllRunning(first.Units));
        Say(await ListingTiming.Measure(client, fleet.Nodes.Where(n => !n.IsDead).MaxBy(n => n.PodCount)!.Name, last.Units[0].Name));
        Say($"servers' peak resident sets: {string.Join(", ", servers.Servers.Select(s => $"{s.Name} {s.PeakBytes >> 20} MiB{(s.Killed ? " (until killed)" : "")}"))}; "
            + $"{servers.PeakBytes >> 20} MiB in all");
        if (sampler is not null)
        {
            var within = !sampler.Exceeded;
            Say($"PostgreSQL connections to the run's database: at most {sampler.Max} in {sampler.Samples} samples every {ConnectionSampler.Period.TotalMilliseconds:0} ms "
                + $"({sampler.Failed} failed); budget {options.Servers} servers × pool {options.DbPoolSize} = {options.ConnectionBudget}: {(within ? "within" : "EXCEEDED, two samples in a row")}"
                + $"{(sampler.Over > 0 ? $" ({sampler.Over} samples over it, the first held by: {sampler.FirstOver})" : "")}; agents hold none; "
                + $"the whole PostgreSQL server (shared with other runs) at most {sampler.MaxServerWide} of its max_connections {sampler.MaxConnections}");
            ok &= within;
        }

        if (options.CountCalls)
        {
            var placed = first.Units.Concat(last == first ? [] : last.Units).Sum(u => u.Count);
            Say(CallsPerPod(await servers.StopForCalls(), placed, servers.Servers.Any(s => s.Killed)));
        }

        if (!ok)
        {
            Say("FAILED: see the lines above");
        }

        Console.WriteLine(last.Figures);
        return ok ? 0 : 1;
    }

    // From the agents' attach to the end, so the attach's calls are in it (one challenge, attach and down-list removal
    // per agent); methods under 0.01 a pod are left out of the list, not of the total.
    private static string CallsPerPod(IReadOnlyDictionary<string, long> calls, int placed, bool killedServer)
    {
        var perPod = calls.OrderByDescending(c => c.Value).Select(c => (c.Key, PerPod: c.Value / (double)placed)).ToList();
        return $"grain calls per placed pod, taken by the servers or made to agents{(killedServer ? " (a killed server's not counted)" : "")}: {perPod.Sum(c => c.PerPod):0.00} in all; "
            + string.Join(", ", perPod.Where(c => c.PerPod >= 0.01).Select(c => $"{c.Key} {c.PerPod:0.00}"));
    }

    private static async Task<IHost> Connect(IReadOnlyList<IPEndPoint> gateways, TimeSpan responseTimeout)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.UseOrleansClient(client =>
        {
            client.Configure<ClusterOptions>(o => (o.ClusterId, o.ServiceId) = (ServerSilo.ClusterId, ServerSilo.ClusterId));
            client.UseStaticClustering([.. gateways]);

            // A unit's start places its pods 8 at a time, which on a busy machine can outlast Orleans' 30 s default;
            // a call that met a killed server and is never answered still fails within this.
            client.Configure<ClientMessagingOptions>(o => o.ResponseTimeout = responseTimeout);
        });
        var host = builder.Build();
        await host.StartAsync();
        return host;
    }

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";

    private static void Say(string line) => Console.WriteLine(line);

    /// <summary>A phase's outcome: its units, its figures, and whether every pod of it was placed and runs on a live node.</summary>
    private sealed record PhaseResult((string Name, int Count)[] Units, Figures Figures, bool Ok);

    /// <summary>Every unit's pods as the cluster lists them.</summary>
    /// <param name="ArrivalLatenciesMs">On a schedule, each pod's time from its unit's scheduled arrival to its launch.</param>
    private sealed record Listed(int Placed, int OnKilled, IReadOnlyList<double> LatenciesMs, IReadOnlyList<double> ArrivalLatenciesMs)
    {
        public bool AllRunning(IEnumerable<(string Name, int Count)> units) => Placed == units.Sum(u => u.Count) && OnKilled == 0;
    }

    /// <summary>The run's state across its phases (a batch, then maybe a steady arrival, on the same cluster).</summary>
    private sealed class Run(BenchOptions options, ServerCluster servers, IClusterClient client, SimulatedFleet fleet, ChaosSchedule chaos, long started)
    {
        private readonly List<(string Name, int Count)> all = [];
        private int submitted;

        public async Task<PhaseResult> Phase(string prefix, double? podsPerSecond)
        {
            var units = Enumerable.Range(0, options.Units)
                .Select(i => (Name: $"{prefix}-{i:D6}.pod", Count: options.Pods / options.Units + (i < options.Pods % options.Units ? 1 : 0)))
                .ToArray();
            submitted += options.Pods;
            var arrival = new UnitArrival(client, options.Chaos, Say);
            if (podsPerSecond is { } rate)
            {
                Say($"{prefix}: {options.Pods} pods arriving at a steady {rate:0.0} pods/s, a unit of {units[0].Count} every {units[0].Count / rate * 1000:0} ms");
            }

            var cpu = PhaseCpu.Start(servers);
            var phaseStart = Stopwatch.GetTimestamp();
            var submitting = podsPerSecond is { } steady ? arrival.Scheduled(units, steady) : arrival.Batch(units);
            var done = await WaitForAllRunning(submitting, units, arrival);
            var used = cpu.Stop();
            var pauses = servers.PausesBetween(phaseStart, Stopwatch.GetTimestamp());
            var elapsed = Stopwatch.GetElapsedTime(phaseStart, Math.Max(phaseStart, fleet.LastRunningAt));
            var listed = await Check(units, arrival);
            var podsPerNode = fleet.Nodes.Where(n => !n.IsDead).Select(n => n.PodCount).ToArray();
            if (chaos.Killed.Count > 0)
            {
                Say($"{chaos.Killed.Count} agents killed so far, holding {chaos.Killed.Sum(n => n.PodCount)} pods ({chaos.RunningOnKilled} reported running) when they died");
            }

            Say($"{prefix}: {listed.Placed} of {options.Pods} pods placed and running, {listed.OnKilled} still listed on a killed agent, {fleet.Launched} launched on agents in all, "
                + $"{arrival.FailedStarts} unit starts failed ({arrival.RetriedCalls} unit calls sent again), {fleet.FailedCalls} failed agent calls, {fleet.Reattached} re-attachments; pods per live node {podsPerNode.Min()}–{podsPerNode.Max()}; "
                + $"submit to all running {elapsed.TotalSeconds:0.0} s{(podsPerSecond is null ? "" : $"; the submitter was at most {arrival.MaxLateMs:0} ms behind its schedule")}");
            Say($"{prefix}: {used.Describe(listed.Placed)}");
            Say($"{prefix}: {CollectorPauses.Describe(pauses, listed.Placed, used.Elapsed, servers.Servers.Count)}");
            if (listed.ArrivalLatenciesMs.Count > 0)
            {
                var fromArrival = Figures.Of(listed.Placed, elapsed, listed.ArrivalLatenciesMs, podsPerNode, 0);
                Say($"{prefix}: from each unit's scheduled arrival to its pods' launch: p50_ms={fromArrival.P50Ms:0.0} p99_ms={fromArrival.P99Ms:0.0}");
            }

            var ok = done && listed.AllRunning(units);
            if (!ok)
            {
                Say($"{prefix} FAILED: {options.Pods - listed.Placed} pods were not placed and running{(done ? "" : " before the run gave up")}");
            }

            return new PhaseResult(units, Figures.Of(listed.Placed, elapsed, listed.LatenciesMs, podsPerNode, servers.PeakBytes), ok);
        }

        public Task<Listed> Check((string Name, int Count)[] units) => Check(units, null);

        // Until every pod of every phase so far runs on a live agent. The agents' running reports say when to look: a killed
        // agent's pods that had run are run again elsewhere, each reported running once more, so they are waited for
        // twice. With chaos that count is only a hint (a pod the cluster failed and replaced is reported twice too), so
        // the cluster's own listing decides; so it does when the reports stall (an agent's re-attach brings a pod's record
        // up to date without the report counted here).
        private async Task<bool> WaitForAllRunning(Task submitting, (string Name, int Count)[] units, UnitArrival arrival)
        {
            all.AddRange(units);
            var deadline = Stopwatch.GetTimestamp() + (long)(options.Timeout.TotalSeconds * Stopwatch.Frequency);
            var phaseStart = Stopwatch.GetTimestamp();
            var nextProgress = ProgressPeriod;
            var nextDiagnosis = Stalled;
            var (lastCount, lastMoved, nextLook) = (-1, Stopwatch.GetTimestamp(), Stopwatch.GetTimestamp());

            // Agents are killed while pods are being placed: until every unit went out and the reports add up or stall.
            var placing = true;
            while (true)
            {
                if (submitting.IsFaulted)
                {
                    Say($"submitting failed: {submitting.Exception!.InnerException!.Message}");
                    return false;
                }

                if (Stopwatch.GetTimestamp() > deadline)
                {
                    return false;
                }

                var reported = fleet.Running - chaos.RunningOnKilled >= submitted;
                var stalled = Stopwatch.GetElapsedTime(lastMoved) >= Stalled;
                placing &= !(submitting.IsCompleted && (reported || stalled));
                await chaos.Tick(Stopwatch.GetElapsedTime(started), placing, Say);
                if (Stopwatch.GetElapsedTime(phaseStart) >= nextProgress)
                {
                    await Console.Error.WriteLineAsync($"  {nextProgress.TotalSeconds:0} s: {fleet.Launched} launched, {fleet.Running} running, load average {LoadAverage()}");
                    nextProgress += ProgressPeriod;
                }

                if (fleet.Running != lastCount)
                {
                    (lastCount, lastMoved, nextDiagnosis) = (fleet.Running, Stopwatch.GetTimestamp(), Stalled);
                }
                else if (Stopwatch.GetElapsedTime(lastMoved) >= nextDiagnosis)
                {
                    await Diagnose(arrival, Stopwatch.GetElapsedTime(lastMoved));
                    nextDiagnosis += Stalled * 3;
                }

                if (submitting.IsCompleted && !chaos.Waiting && (reported || stalled) && Stopwatch.GetTimestamp() >= nextLook)
                {
                    if (reported && !options.Chaos)
                    {
                        break;
                    }

                    if (await CheckThroughServerLoss([.. all]) is { } listed && listed.AllRunning(all))
                    {
                        if (!reported)
                        {
                            Say($"every pod runs as the cluster lists them, though {submitted - (fleet.Running - chaos.RunningOnKilled)} running reports were not counted here");
                        }

                        break;
                    }

                    nextLook = Stopwatch.GetTimestamp() + (long)(ProgressPeriod.TotalSeconds * Stopwatch.Frequency);
                }

                await Task.Delay(100);
            }

            await submitting;
            return true;
        }

        // Why nothing moves: the unit calls still unanswered, and what the units that lack running pods hold.
        private async Task Diagnose(UnitArrival arrival, TimeSpan still)
        {
            var outstanding = arrival.Outstanding.ToList();
            Say($"STALLED: no pod reported running for {still.TotalSeconds:0} s; {outstanding.Count} unit calls unanswered"
                + string.Concat(outstanding.Take(3).Select(c => $"; {c.Unit} {c.Call} for {c.For.TotalSeconds:0} s")));
            var shown = 0;
            foreach (var name in arrival.Arrived.Where(n => outstanding.All(c => c.Unit != n)))
            {
                UnitStatus? status;
                try
                {
                    status = await client.GetGrain<IUnitGrain>(name).GetStatus();
                }
                catch (Exception ex) when (ex is OrleansException or TimeoutException)
                {
                    // A chaos run may be killing the server that holds the unit right now: the diagnosis is not the run.
                    Say($"  {name}: its status could not be read ({ex.GetType().Name}: {ex.Message.Split('\n')[0]})");
                    break;
                }

                var pods = status?.Pods ?? [];
                if (status is not null && pods.Count(p => p.Phase == PodPhase.Running) >= status.DesiredPods)
                {
                    continue;
                }

                var phases = string.Join(", ", pods.GroupBy(p => (p.Phase, Lost: p.IsLost, p.Reason)).Select(g => $"{g.Count()} {g.Key.Phase.ToString().ToLowerInvariant()}{(g.Key.Lost ? " lost" : "")}{(g.Key.Reason is { } r ? $" ({r})" : "")}"));
                Say($"  {name}: {(status is null ? "no such unit" : $"desired {status.DesiredState}, {status.DesiredPods} pods asked, {pods.Count} held: {phases}")}");
                if (++shown == 3)
                {
                    break;
                }
            }
        }

        // A listing while a chaos run kills a server may meet the dead one before its grains move: null, to look again.
        private async Task<Listed?> CheckThroughServerLoss((string Name, int Count)[] units)
        {
            try
            {
                return await Check(units, null);
            }
            catch (Exception ex) when (ex is OrleansException or TimeoutException)
            {
                Say($"listing the units failed ({ex.GetType().Name}), looking again: {ex.Message.Split('\n')[0]}");
                return null;
            }
        }

        // Every unit's pods as the cluster lists them: how many run on a live agent, how many still on a killed one, and
        // each one's time from creation (or from its scheduled arrival, when the submitter was late) to its launch.
        private async Task<Listed> Check((string Name, int Count)[] units, UnitArrival? arrival)
        {
            var killed = chaos.Killed.Select(n => n.Name).ToHashSet(StringComparer.Ordinal);
            var placed = 0;
            var onKilled = 0;
            var latencies = new List<double>();
            var fromArrival = new List<double>();
            await Parallel.ForEachAsync(units, new ParallelOptions { MaxDegreeOfParallelism = CheckParallelism }, async (unit, _) =>
            {
                var status = await client.GetGrain<IUnitGrain>(unit.Name).GetStatus();
                var running = (status?.Pods ?? []).Where(p => p is { Phase: PodPhase.Running, NodeName: not null }).ToList();
                var late = arrival?.LateMs(unit.Name) ?? 0;
                var times = running.Where(p => fleet.LaunchedAt.ContainsKey(p.Id)).Select(p => (fleet.LaunchedAt[p.Id] - p.CreatedAt).TotalMilliseconds + late).ToList();
                var stale = running.Count(p => killed.Contains(p.NodeName!));
                var arrivals = arrival?.DueAt(unit.Name) is { } due
                    ? running.Where(p => fleet.LaunchedAt.ContainsKey(p.Id)).Select(p => (fleet.LaunchedAt[p.Id] - due).TotalMilliseconds).ToList()
                    : [];
                lock (latencies)
                {
                    fromArrival.AddRange(arrivals);
                    placed += running.Count - stale;
                    onKilled += stale;
                    latencies.AddRange(times);
                }
            });
            return new Listed(placed, onKilled, latencies, fromArrival);
        }
    }
}
