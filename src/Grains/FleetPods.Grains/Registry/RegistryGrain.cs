using FleetPods.Grains.Storage;

namespace FleetPods.Grains.Registry;

public sealed class RegistryGrain(
    [PersistentState("registry", GrainStorage.Name)] IPersistentState<RegistryState> state) : Grain, IRegistryGrain
{
    // The stored keys in ordinal order, kept beside the set so a page is a binary search rather than a sort of
    // every key; made again from the set after a failed write, which reloads it.
    private List<string>? ordered;

    async Task IRegistryGrain.Add(string key)
    {
        if (state.State.Keys.Add(key))
        {
            await Save();
            // The set did not hold the key, so the search misses and says where it goes.
            ordered?.Insert(~Position(key), key);
        }
    }

    async Task IRegistryGrain.Remove(string key)
    {
        if (state.State.Keys.Remove(key))
        {
            await Save();
            if (ordered is not null)
            {
                var at = Position(key);
                if (at >= 0)
                {
                    ordered.RemoveAt(at);
                }
            }
        }
    }

    Task<IReadOnlyList<string>> IRegistryGrain.List() => Task.FromResult<IReadOnlyList<string>>([.. Ordered()]);

    Task<IReadOnlyList<string>> IRegistryGrain.ListPage(string? after, int limit)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        var keys = Ordered();
        var at = after is null ? -1 : Position(after);

        // After a key that is gone (removed since the last page), the page starts where it would have been.
        var start = at >= 0 ? at + 1 : ~at;
        return Task.FromResult<IReadOnlyList<string>>(keys.GetRange(start, Math.Min(limit, keys.Count - start)));
    }

    private List<string> Ordered() => ordered ??= [.. state.State.Keys.Order(StringComparer.Ordinal)];

    private int Position(string key) => Ordered().BinarySearch(key, StringComparer.Ordinal);

    private async Task Save()
    {
        try
        {
            await state.Save(this);
        }
        catch
        {
            ordered = null;
            throw;
        }
    }
}
