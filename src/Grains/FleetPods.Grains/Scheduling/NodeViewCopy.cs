using System.Diagnostics;

namespace FleetPods.Grains.Scheduling;

/// <summary>
/// A scheduler's copy of the <see cref="INodeViewGrain"/>, which it places from. It is brought up to date when it is
/// older than the scheduler allows, or when a placement needs a copy made after the placement began (a node that just
/// joined is then seen), and the scheduler's own reservations are written into it as they are made, so its next
/// placements see them before the nodes' reports come back. Placements on many grains' turns use it at once, so every
/// read and change of it holds its lock, for microseconds.
/// </summary>
internal sealed class NodeViewCopy(INodeViewGrain view)
{
    // A reservation made here is counted until its node's own report carries it, or for this long at most (a node
    // whose report was lost is corrected by its next one).
    private static readonly TimeSpan PendingLimit = TimeSpan.FromSeconds(10);

    private readonly Lock gate = new();
    private readonly List<(string Name, NodeInfo? Info)> nodes = [];

    // Reservations this scheduler asked for that the view has not shown yet, by pod: written again over each update.
    private readonly Dictionary<string, (string Node, PlacementRequest Request, long At)> pending = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> index = new(StringComparer.Ordinal);
    private NodeViewVersion version = NodeViewVersion.None;
    private long updatedFrom = long.MinValue;
    private Task? updating;
    private long updatingFrom;

    /// <summary>What <paramref name="read"/> makes of every node known, up (with its info) or down (null), read under the lock.</summary>
    public T Read<T>(Func<IReadOnlyList<(string Name, NodeInfo? Info)>, T> read)
    {
        ArgumentNullException.ThrowIfNull(read);
        lock (gate)
        {
            return read(nodes);
        }
    }

    /// <summary>
    /// Plans from every node known and, in the same hold of the lock, writes the reservation of the plan's first
    /// candidate not in <paramref name="tried"/> into the copy as <see cref="Reserved"/> does: a placement on another
    /// thread then ranks with it, where between the two steps it would choose the same least loaded node.
    /// </summary>
    public PlacementPlan PlanAndHold(Func<IReadOnlyList<(string Name, NodeInfo? Info)>, PlacementPlan> plan, PlacementRequest request, IReadOnlySet<string> tried)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(tried);
        lock (gate)
        {
            var planned = plan(nodes);
            foreach (var candidate in planned.Candidates)
            {
                if (!tried.Contains(candidate.Name))
                {
                    Hold(candidate.Name, request);
                    break;
                }
            }

            return planned;
        }
    }

    /// <summary>Brings the copy up to date unless it was asked for within <paramref name="maxAge"/>.</summary>
    public Task Update(TimeSpan maxAge) => UpdateAskedAfter(Stopwatch.GetTimestamp() - (long)(maxAge.TotalSeconds * Stopwatch.Frequency));

    /// <summary>Brings the copy up to date with an answer asked for after <paramref name="timestamp"/> (a <see cref="Stopwatch"/> timestamp).</summary>
    public async Task UpdateAskedAfter(long timestamp)
    {
        while (true)
        {
            Task current;
            long from;
            lock (gate)
            {
                if (updatedFrom >= timestamp)
                {
                    return;
                }

                // Placements that need an update share the one under way, unless it was asked for too early for them.
                if (updating is null)
                {
                    updatingFrom = Stopwatch.GetTimestamp();
                    updating = Fetch(updatingFrom, version);
                }

                current = updating;
                from = updatingFrom;
            }

            try
            {
                await current;
            }
            finally
            {
                lock (gate)
                {
                    if (ReferenceEquals(updating, current))
                    {
                        updating = null;
                    }
                }
            }

            if (from >= timestamp)
            {
                return;
            }
        }
    }

    /// <summary>
    /// Writes a reservation this scheduler is asking for into the copy, before the node answers, so placements decided
    /// meanwhile weigh it (else every placement in a burst sees the same least loaded node). It stays counted over
    /// updates until the node's own report carries it.
    /// </summary>
    public void Reserved(string name, PlacementRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        lock (gate)
        {
            Hold(name, request);
        }
    }

    /// <summary>Takes back a reservation <see cref="Reserved"/> wrote that its node refused.</summary>
    public void Refused(string name, PlacementRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        lock (gate)
        {
            pending.Remove(request.PodId);
            if (InfoOf(name) is { } node && Holds(node, request.PodId))
            {
                Set(name, node.WithoutPlaced(request.PodId, request.Resources));
            }
        }
    }

    /// <summary>Takes a node out of placement until its next report: its grain could not be asked.</summary>
    public void Unreachable(string name)
    {
        lock (gate)
        {
            Set(name, null);
        }
    }

    private async Task Fetch(long from, NodeViewVersion since)
    {
        var changes = await view.Changes(since);
        lock (gate)
        {
            if (changes.Whole)
            {
                nodes.Clear();
                index.Clear();
            }

            foreach (var info in changes.Up)
            {
                Set(info.Name, info);
            }

            foreach (var name in changes.Down)
            {
                Set(name, null);
            }

            version = changes.Version;
            updatedFrom = Math.Max(updatedFrom, from);
            CountPending();
        }
    }

    // A report replaced what the copy had: the reservations it does not carry yet are written over it again.
    private void CountPending()
    {
        var limit = Stopwatch.GetTimestamp() - (long)(PendingLimit.TotalSeconds * Stopwatch.Frequency);
        foreach (var (podId, (name, request, at)) in pending.ToArray())
        {
            if (at < limit || InfoOf(name) is not { } node || Holds(node, podId))
            {
                pending.Remove(podId);
            }
            else
            {
                Count(name, request);
            }
        }
    }

    private void Hold(string name, PlacementRequest request)
    {
        pending[request.PodId] = (name, request, Stopwatch.GetTimestamp());
        Count(name, request);
    }

    private void Count(string name, PlacementRequest request)
    {
        if (InfoOf(name) is { } node && !Holds(node, request.PodId))
        {
            Set(name, node.WithPlaced(request.AsPlaced(), request.Resources));
        }
    }

    // A loop, not LINQ's Any: asked for every reservation and every pending one at each update, under the lock.
    private static bool Holds(NodeInfo node, string podId)
    {
        var pods = node.Pods;
        for (var i = 0; i < pods.Count; i++)
        {
            if (string.Equals(pods[i].PodId, podId, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    private NodeInfo? InfoOf(string name) => index.TryGetValue(name, out var at) ? nodes[at].Info : null;

    private void Set(string name, NodeInfo? info)
    {
        if (index.TryGetValue(name, out var at))
        {
            nodes[at] = (name, info);
        }
        else
        {
            index[name] = nodes.Count;
            nodes.Add((name, info));
        }
    }
}
