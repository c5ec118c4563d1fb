using FleetPods.Grains.Storage;
using Orleans.Concurrency;

namespace FleetPods.Grains.Registry;

// Interleaved, so the adds and removes of many pods being made at once share writes (GroupCommit); each call changes
// the set before it awaits, and a listing reads it without awaiting. A write stores only the changes since the set was
// last stored (RegistryChanges), and the whole set once they are many: a shard of the pods' registry holds thousands
// of ids at 100,000 pods, and rewriting them for every pod made was the one cost of a placement that grew with the
// cluster.
[Reentrant]
public sealed class RegistryGrain : Grain, IRegistryGrain
{
    // Changes kept beside the set before it is written whole again: a write stores at most this many small entries,
    // and the set once per this many changes.
    internal const int ChangesBeforeSet = 64;

    private readonly IPersistentState<RegistryState> state;
    private readonly IPersistentState<RegistryChanges> stored;
    private readonly GroupCommit commit;

    // The keys calls change, and the changes made since the last write began.
    private HashSet<string> keys = new(StringComparer.Ordinal);
    private List<RegistryChange> unsaved = [];

    // The keys in ordinal order, kept beside the set so a page is a binary search rather than a sort of every key;
    // made again from the set after a failed write, which reloads it.
    private List<string>? ordered;

    public RegistryGrain(
        [PersistentState("registry", GrainStorage.Name)] IPersistentState<RegistryState> state,
        [PersistentState("registry-changes", GrainStorage.Name)] IPersistentState<RegistryChanges> stored)
    {
        this.state = state;
        this.stored = stored;
        commit = new GroupCommit(Write, Reloaded);
    }

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        Reloaded();
        return base.OnActivateAsync(cancellationToken);
    }

    Task IRegistryGrain.Add(string key) => Added(TryAdd(key));

    Task IRegistryGrain.AddRange(IReadOnlyList<string> keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var added = false;
        foreach (var key in keys)
        {
            added |= TryAdd(key);
        }

        return Added(added);
    }

    private bool TryAdd(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (!keys.Add(key))
        {
            return false;
        }

        // The set did not hold the key, so the search misses and says where it goes.
        ordered?.Insert(~Position(key), key);
        unsaved.Add(new RegistryChange(key, Added: true));
        return true;
    }

    private Task Added(bool any) => any ? commit.Save() : Task.CompletedTask;

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

            unsaved.Add(new RegistryChange(key, Added: false));
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

    // Each write stores copies made on the grain's turn: the storage provider may serialize them off it, while the
    // next calls already change the keys. The set goes first, then the emptied changes: a failure between leaves
    // changes that the stored set already holds, and replaying them in order over it gives the same set.
    private async Task Write()
    {
        var changes = stored.State.Changes.Concat(unsaved).ToArray();
        unsaved = [];
        if (changes.Length > ChangesBeforeSet)
        {
            state.State = new RegistryState { Keys = new HashSet<string>(keys, StringComparer.Ordinal) };
            await state.Save(this);
            changes = [];
        }

        stored.State = new RegistryChanges { Changes = changes };
        await stored.Save(this);
    }

    // What storage holds: the set, then its changes in order. Changes not yet written are dropped with the write that
    // failed (GroupCommit fails their callers).
    private void Reloaded()
    {
        keys = new HashSet<string>(state.State.Keys, StringComparer.Ordinal);
        foreach (var change in stored.State.Changes)
        {
            if (change.Added)
            {
                keys.Add(change.Key);
            }
            else
            {
                keys.Remove(change.Key);
            }
        }

        unsaved = [];
        ordered = null;
    }

    private List<string> Ordered() => ordered ??= [.. keys.Order(StringComparer.Ordinal)];

    private int Position(string key) => Ordered().BinarySearch(key, StringComparer.Ordinal);
}
