using FleetPods.Grains.Nodes;
using FleetPods.Grains.Storage;
using Microsoft.Extensions.Options;

namespace FleetPods.Grains.Registry;

public sealed class DownNodesGrain(
    [PersistentState("down-nodes", GrainStorage.Name)] IPersistentState<DownNodesState> state,
    IOptions<NodeLivenessOptions> options,
    TimeProvider time) : Grain, IDownNodesGrain
{
    private Dictionary<string, DateTimeOffset> Since => state.State.Since;

    async Task IDownNodesGrain.Add(string node)
    {
        ArgumentNullException.ThrowIfNull(node);
        var changed = Prune() | Since.TryAdd(node, time.GetUtcNow());

        // Past the bound the oldest go: a long-dead node matters least.
        foreach (var oldest in Since.OrderBy(d => d.Value).Take(Math.Max(0, Since.Count - options.Value.MaxDownNodes)).Select(d => d.Key).ToArray())
        {
            changed |= Since.Remove(oldest);
        }

        if (changed)
        {
            await state.Save(this);
        }
    }

    async Task IDownNodesGrain.Remove(string node)
    {
        if (Prune() | Since.Remove(node))
        {
            await state.Save(this);
        }
    }

    async Task<IReadOnlyList<string>> IDownNodesGrain.List()
    {
        if (Prune())
        {
            await state.Save(this);
        }

        return [.. Since.Keys.Order(StringComparer.Ordinal)];
    }

    // Returns whether any entry had outlived the retention period (and the state needs saving).
    private bool Prune()
    {
        var cutoff = time.GetUtcNow() - options.Value.DownNodeRetention;
        var expired = Since.Where(d => d.Value < cutoff).Select(d => d.Key).ToArray();
        foreach (var node in expired)
        {
            Since.Remove(node);
        }

        return expired.Length > 0;
    }
}
