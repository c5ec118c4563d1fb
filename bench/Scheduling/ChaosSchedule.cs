namespace FleetPods.Bench.Scheduling;

/// <summary>
/// What a run kills, and when, counted from the first submit: the agent holding the most pods at
/// <c>--kill-after-s</c> (else at the first <c>--kill-every-s</c>) and again every <c>--kill-every-s</c> while pods
/// are still being placed (then the run waits for the last kill's pods to run elsewhere), at most a tenth of the agents in all (a cluster that keeps losing machines faster than it
/// re-places their pods never ends a run), and the last server silo at <c>--kill-server-after-s</c>.
/// </summary>
internal sealed class ChaosSchedule(BenchOptions options, SimulatedFleet fleet, ServerCluster servers)
{
    private readonly List<SimulatedNode> killed = [];
    private TimeSpan? nextAgentKill = options.KillAfter ?? options.KillEvery;
    private bool serverKilled;

    /// <summary>The agents killed so far.</summary>
    public IReadOnlyList<SimulatedNode> Killed => killed;

    /// <summary>Running reports the cluster accepted from agents killed since: those pods must run again elsewhere.</summary>
    public int RunningOnKilled => killed.Sum(n => n.RunningAcknowledged);

    /// <summary>Whether a kill the run asked for once (the first agent's, the server's) is still to come: the run waits for it.</summary>
    public bool Waiting =>
        (killed.Count == 0 && (options.KillAfter ?? options.KillEvery) is not null) || (!serverKilled && options.KillServerAfter is not null);

    /// <summary>Kills whatever is due by <paramref name="sinceStart"/>; agents after the first only while <paramref name="placing"/>.</summary>
    public async Task Tick(TimeSpan sinceStart, bool placing, Action<string> say)
    {
        if (nextAgentKill is { } at && sinceStart >= at && (placing || killed.Count == 0) && killed.Count < Math.Max(1, fleet.Nodes.Count / 10)
            && fleet.Nodes.Where(n => !n.IsDead).MaxBy(n => n.PodCount) is { } node)
        {
            node.Kill();
            killed.Add(node);
            nextAgentKill = options.KillEvery is { } every ? at + every : null;
            say($"killed agent {node.Name} at {sinceStart.TotalSeconds:0.0} s, holding {node.PodCount} pods ({node.RunningAcknowledged} reported running)");
        }

        if (!serverKilled && options.KillServerAfter is { } after && sinceStart >= after)
        {
            serverKilled = true;
            var server = servers.Servers[^1];
            await server.Kill();
            say($"killed server {server.Name} (SIGKILL) at {sinceStart.TotalSeconds:0.0} s; its grains reactivate on the {servers.Servers.Count - 1} others");
        }
    }
}
