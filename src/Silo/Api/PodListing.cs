using FleetPods.Grains;

namespace FleetPods.Silo.Api;

/// <summary>
/// What <c>GET /v1/pods</c> answers, one page at a time in id order. With <c>node=</c> only the pods that node's grain
/// holds are read (its reservations: placed there and not ended), with <c>unit=</c> only the unit's own pods, so a
/// filtered page costs the statuses of those pods, not of every pod of the cluster; without either, the pods registry
/// is read a page at a time. <c>phase=</c> keeps the pods in that phase of whichever set was read.
/// </summary>
public static class PodListing
{
    /// <param name="node">Only the pods this node holds now; a node missing from the nodes registry (never joined, or an agent's node declared down) holds none.</param>
    /// <param name="unit">Only this unit's pods (its full name, <c>web.pod</c>).</param>
    public static async Task<PodPage> Read(IGrainFactory grains, string? node, string? unit, PodPhase? phase, PageQuery page, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(grains);
        ArgumentNullException.ThrowIfNull(page);
        bool Wanted(PodStatus pod) => (node is null || pod.NodeName == node) && (unit is null || pod.UnitName == unit) && (phase is null || pod.Phase == phase);
        if (node is not null)
        {
            // Only a node of the registry is asked: a name nobody announced activates no grain.
            var held = await ReadRetry.Run(() => Held(grains, node), cancellationToken);
            return await Statuses(grains, After(held, page.After), Wanted, page.Limit, cancellationToken);
        }

        if (unit is not null)
        {
            var status = await ReadRetry.Run(() => grains.GetGrain<IUnitGrain>(unit).GetStatus(), cancellationToken);
            var pods = (status is null ? [] : UnitPods.Of(status))
                .Where(p => page.After is null || string.CompareOrdinal(p.Id, page.After) > 0)
                .OrderBy(p => p.Id, StringComparer.Ordinal)
                .ToList();
            var matching = pods.Where(Wanted).Take(page.Limit + 1).ToList();
            return matching.Count > page.Limit
                ? new PodPage(matching[..page.Limit], matching[page.Limit - 1].Id)
                : new PodPage(matching, null);
        }

        return await Registered(grains, Wanted, page, cancellationToken);
    }

    private static async Task<IReadOnlyList<string>> Held(IGrainFactory grains, string node) =>
        await new KeyRegistry(grains, RegistryKind.Nodes).Contains(node) ? await grains.GetGrain<INodeGrain>(node).ListPods() : [];

    private static string[] After(IEnumerable<string> ids, string? after) =>
        [.. ids.Where(id => after is null || string.CompareOrdinal(id, after) > 0).Order(StringComparer.Ordinal)];

    // The statuses of the given pods (in id order), a page's worth at a time, until the page is full or they run out.
    private static async Task<PodPage> Statuses(IGrainFactory grains, string[] ids, Func<PodStatus, bool> wanted, int limit, CancellationToken cancellationToken)
    {
        var pods = new List<PodStatus>(Math.Min(limit, ids.Length));
        for (var start = 0; start < ids.Length; start += limit)
        {
            var chunk = ids[start..Math.Min(ids.Length, start + limit)];
            var statuses = await ReadRetry.Run(() => Task.WhenAll(chunk.Select(id => grains.GetGrain<IPodGrain>(id).GetStatus())), cancellationToken);
            for (var i = 0; i < chunk.Length; i++)
            {
                if (statuses[i] is { } pod && wanted(pod))
                {
                    pods.Add(pod);
                }

                if (pods.Count == limit)
                {
                    return new PodPage(pods, start + i < ids.Length - 1 ? chunk[i] : null);
                }
            }
        }

        return new PodPage(pods, null);
    }

    // Every pod of the cluster, from the pods registry a page at a time, until the page is full.
    private static async Task<PodPage> Registered(IGrainFactory grains, Func<PodStatus, bool> wanted, PageQuery page, CancellationToken cancellationToken)
    {
        var registry = new KeyRegistry(grains, RegistryKind.Pods);
        var pods = new List<PodStatus>(page.Limit);
        var cursor = page.After;
        while (true)
        {
            var ids = await ReadRetry.Run(() => registry.ListPage(cursor, page.Limit), cancellationToken);
            var statuses = await ReadRetry.Run(() => Task.WhenAll(ids.Select(id => grains.GetGrain<IPodGrain>(id).GetStatus())), cancellationToken);
            for (var i = 0; i < ids.Count; i++)
            {
                cursor = ids[i];
                if (statuses[i] is { } pod && wanted(pod))
                {
                    pods.Add(pod);
                }

                if (pods.Count == page.Limit)
                {
                    // Unless this was the very last key, more may match after it.
                    return new PodPage(pods, i < ids.Count - 1 || ids.Count == page.Limit ? cursor : null);
                }
            }

            if (ids.Count < page.Limit)
            {
                return new PodPage(pods, null);
            }
        }
    }
}
