namespace FleetPods.Grains;

/// <summary>
/// A persisted set of grain keys of one kind. Orleans cannot enumerate grains, so listings
/// (<c>list-units</c>, <c>list-pods</c>, <c>list-machines</c>, <c>image list</c>) start here.
/// </summary>
public interface IRegistryGrain : IGrainWithStringKey
{
    /// <summary>Adds a key; adding one twice is harmless.</summary>
    Task Add(string key);

    /// <summary>Adds keys in one write; adding one twice is harmless.</summary>
    Task AddRange(IReadOnlyList<string> keys);

    /// <summary>Removes a key; removing a missing one is harmless.</summary>
    Task Remove(string key);

    /// <summary>All keys, in ordinal order.</summary>
    Task<IReadOnlyList<string>> List();

    /// <summary>
    /// One page of keys in ordinal order: at most <paramref name="limit"/> keys after <paramref name="after"/>
    /// (from the first when null), so a listing of 100,000 pods is read a page at a time.
    /// </summary>
    Task<IReadOnlyList<string>> ListPage(string? after, int limit);
}
