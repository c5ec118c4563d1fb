using FleetPods.Grains.Cluster;
using FleetPods.Grains.Units;
using Microsoft.Extensions.Logging;

namespace FleetPods.Grains.Scheduling;

/// <inheritdoc cref="INodeViewGrain"/>
internal sealed class NodeViewGrain(ILogger<NodeViewGrain> logger) : Grain, INodeViewGrain
{
    // Down nodes are kept so copies hear of them; beyond this many the oldest are dropped, and a copy older than the
    // last one dropped gets the whole view instead of changes (as the down-node list is bounded, IDownNodesGrain).
    private const int MaxDown = 1_000;
    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(5);

    // A node that comes up, or announces itself anew (its metadata may have changed), may be one more for a global
    // unit, and nothing else tells the unit: an agent's coming and going changes no silo membership. The units hear of
    // it in one round this long after, which a burst of nodes (agents attaching again after a server restart) shares.
    private static readonly TimeSpan UnitRoundDelay = TimeSpan.FromSeconds(1);

    private readonly Dictionary<string, Entry> nodes = new(StringComparer.Ordinal);
    private readonly Guid epoch = Guid.NewGuid();
    private long version;
    private long forgottenUpTo;
    private int down;
    private IGrainTimer? unitRound;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        // Reports that arrive meanwhile wait for this turn and, being later, win over what is asked here.
        var names = await new KeyRegistry(GrainFactory, RegistryKind.Nodes).List();
        var answers = await Task.WhenAll(names.Select(Ask));
        foreach (var info in answers.OfType<NodeInfo>())
        {
            Take(new NodeReport(info.Name, info, 0));
        }

        logger.LogInformation("Node view built from {Nodes} nodes' answers", nodes.Count);
        await base.OnActivateAsync(cancellationToken);
    }

    Task INodeViewGrain.Report(NodeReport[] reports)
    {
        ArgumentNullException.ThrowIfNull(reports);
        var arrived = false;
        foreach (var report in reports)
        {
            arrived |= Take(report);
        }

        if (arrived)
        {
            ScheduleUnitRound();
        }

        return Task.CompletedTask;
    }

    Task<NodeViewChanges> INodeViewGrain.Changes(NodeViewVersion since)
    {
        var whole = since.Epoch != epoch || since.Version < forgottenUpTo;
        var changed = whole ? nodes : nodes.Where(n => n.Value.Version > since.Version);
        List<NodeInfo> up = [];
        List<string> gone = [];
        foreach (var (name, entry) in changed)
        {
            if (entry.Info is { } info)
            {
                up.Add(info);
            }
            else
            {
                gone.Add(name);
            }
        }

        return Task.FromResult(new NodeViewChanges(new NodeViewVersion(epoch, version), whole, [.. up], [.. gone]));
    }

    // Returns whether the node arrived: it is up and was not, or announced itself anew.
    private bool Take(NodeReport report)
    {
        var known = nodes.TryGetValue(report.Name, out var entry);
        if (known && entry.Sequence >= report.Sequence)
        {
            return false;
        }

        if (!known && report.Info is null)
        {
            // Never seen up: no copy holds it, so there is nothing to take back.
            return false;
        }

        down += (report.Info is null ? 1 : 0) - (known && entry.Info is null ? 1 : 0);
        nodes[report.Name] = new Entry(report.Info, report.Sequence, ++version);
        if (down > MaxDown)
        {
            var oldest = nodes.Where(n => n.Value.Info is null).MinBy(n => n.Value.Version);
            nodes.Remove(oldest.Key);
            forgottenUpTo = Math.Max(forgottenUpTo, oldest.Value.Version);
            down--;
        }

        return report.Info is { } info && entry.Info?.AnnouncedAt != info.AnnouncedAt;
    }

    private void ScheduleUnitRound() =>
        unitRound ??= this.RegisterGrainTimer(TellUnits, new GrainTimerCreationOptions(UnitRoundDelay, Timeout.InfiniteTimeSpan) { Interleave = true });

    // Every unit is told, and each that is not global ignores it: units are few beside nodes and pods, and the
    // registry does not say which are global.
    private async Task TellUnits()
    {
        unitRound?.Dispose();
        unitRound = null;
        IReadOnlyList<string> units;
        try
        {
            units = await new KeyRegistry(GrainFactory, RegistryKind.Units).List();
        }
        catch (Exception ex) when (UnansweredCall.Is(ex))
        {
            logger.LogInformation("The units were not told that nodes arrived; trying again: {Reason}", ex.Message);
            ScheduleUnitRound();
            return;
        }

        foreach (var unit in units)
        {
            GrainFactory.GetGrain<IUnitNodeChanges>(unit).NodesChanged().Ignore();
        }
    }

    private async Task<NodeInfo?> Ask(string name)
    {
        try
        {
            return await GrainFactory.GetGrain<INodeGrain>(name).GetInfo().WaitAsync(AskTimeout);
        }
        catch (Exception ex) when (UnansweredCall.Is(ex))
        {
            // Down or on a dead silo: it reports itself when it is back.
            logger.LogDebug("Node {Node} left out of the node view: {Reason}", name, ex.Message);
            return null;
        }
    }

    private readonly record struct Entry(NodeInfo? Info, long Sequence, long Version);
}
