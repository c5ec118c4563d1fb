using Orleans.Storage;

namespace FleetPods.Grains.Storage;

/// <summary>
/// A grain's state in the cluster's grain storage (<see cref="GrainStorage.Name"/>), read once by the grain as it
/// activates (<see cref="ReadStateAsync"/> in its <c>OnActivateAsync</c>) and written by <see cref="StateWriteRule"/>
/// as Orleans' own is. For a grain there are 100,000 of: Orleans' <c>[PersistentState]</c> makes each activation a
/// lifecycle with the state as its observer and a migration participant, bookkeeping a pod's activation kept for
/// good and the collector copied with every pod placed (bench/README.md). Used from the grain's own turns only, which
/// never overlap in a grain whose calls do not interleave, so it queues nothing.
/// </summary>
internal sealed class ActivationState<T>(IGrainStorage storage, string name, IGrainContext grain) : IPersistentState<T>
    where T : new()
{
    private readonly GrainState<T> stored = new(new T());

    // Never null: made with a new T, and given one again by a read that found nothing.
    public T State
    {
        get => stored.State!;
        set => stored.State = value;
    }

    public string? Etag => stored.ETag;

    public bool RecordExists => stored.RecordExists;

    public async Task ReadStateAsync()
    {
        await storage.ReadStateAsync(name, grain.GrainId, stored);
        stored.State ??= new T();
    }

    public Task WriteStateAsync() => storage.WriteStateAsync(name, grain.GrainId, stored);

    public async Task ClearStateAsync()
    {
        await storage.ClearStateAsync(name, grain.GrainId, stored);
        stored.State = new T();
    }
}
