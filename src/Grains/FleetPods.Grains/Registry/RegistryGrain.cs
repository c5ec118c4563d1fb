using FleetPods.Grains.Storage;
using Orleans.Concurrency;

namespace FleetPods.Grains.Registry;

// Interleaved, so the adds and removes of many pods being made at once share writes (GroupCommit); each call changes
// the set before it awaits, and a listing reads it without awaiting.
[Reentrant]
public sealed class RegistryGrain : Grain, IRegistryGrain
{
    private readonly IPersistentState<RegistryState> state;
    private readonly GroupCommit commit;

    // The keys calls change. The stored state is a copy made for each write: the storage provider serializes it off
    // the grain's turn, while the next calls already change the keys.
    private HashSet<string> keys = new(StringComparer.Ordinal);

    // The keys in ordinal order, kept beside the set so a page is a binary search rather than a sort of every key;
    // made again from the set after a failed write, which reloads it.
    private List<string>? ordered;

    public RegistryGrain([PersistentState("registry", GrainStorage.Name)] IPersistentState<RegistryState> state)
    {
        this.state = state;
        commit = new GroupCommit(Write, Reloaded);
    }

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        Reloaded();
        return base.OnActivateAsync(cancellationToken);
    }

    async Task IRegistryGrain.Add(string key)
    {
        if (keys.Add(key))
        {
            // The set did not hold the key, so the search misses and says where it goes.
            ordered?.Insert(~Position(key), key);
            await commit.Save();
        }
    }

    async Task IRegistryGrain.Remove(string key)
    {
        if (keys.Remove(key))
        {
            if (ordered is not null)
            {
                var at = Position(key);
                if (at >= 0)
                {
                    ordered.RemoveAt(at);
                }
            }

            await commit.Save();
        }
    }

    Task<IReadOnlyList<string>> IRegistryGrain.List() => Task.FromResult<IReadOnlyList<string>>([.. Ordered()]);

    Task<IReadOnlyList<string>> IRegistryGrain.ListPage(string? after, int limit)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        var list = Ordered();
        var at = after is null ? -1 : Position(after);

        // After a key that is gone (removed since the last page), the page starts where it would have been.
        var start = at >= 0 ? at + 1 : ~at;
        return Task.FromResult<IReadOnlyList<string>>(list.GetRange(start, Math.Min(limit, list.Count - start)));
    }

    private Task Write()
    {
        state.State = new RegistryState { Keys = new HashSet<string>(keys, StringComparer.Ordinal) };
        return state.Save(this);
    }

    private void Reloaded()
    {
        keys = new HashSet<string>(state.State.Keys, StringComparer.Ordinal);
        ordered = null;
    }

    private List<string> Ordered() => ordered ??= [.. keys.Order(StringComparer.Ordinal)];

    private int Position(string key) => Ordered().BinarySearch(key, StringComparer.Ordinal);
}
