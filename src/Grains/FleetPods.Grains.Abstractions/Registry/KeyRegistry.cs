using System.Globalization;

namespace FleetPods.Grains;

/// <summary>
/// The keys of one kind (<see cref="RegistryKind"/>), kept in registry grains: pods and nodes in <see cref="Shards"/>
/// of them by a hash of the key (<c>pods/00</c> … <c>pods/63</c>), so no grain's stored set grows with every pod or
/// machine of the cluster and adds go to many grains at once; units and images in one grain named by the kind.
/// Listings merge the shards in ordinal order. Everything that adds, removes or lists keys goes through this type.
/// </summary>
public sealed class KeyRegistry(IGrainFactory grains, string kind)
{
    /// <summary>How many registry grains hold a sharded kind's keys.</summary>
    public const int Shards = 64;

    private readonly int shards = IsSharded(kind) ? Shards : 1;

    /// <summary>Whether <paramref name="kind"/>'s keys are spread over <see cref="Shards"/> grains rather than one named by the kind.</summary>
    public static bool IsSharded(string kind) => kind is RegistryKind.Pods or RegistryKind.Nodes;

    /// <summary>Adds a key; adding one twice is harmless.</summary>
    public Task Add(string key) => ShardOf(key).Add(key);

    /// <summary>Adds keys with one call to each shard that holds any of them; adding one twice is harmless.</summary>
    public Task Add(IReadOnlyCollection<string> keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        return Task.WhenAll(keys.GroupBy(ShardIndex).Select(shard => Shard(shard.Key).AddRange([.. shard])));
    }

    /// <summary>
    /// <paramref name="count"/> new keys, random UUIDs as <see cref="Guid.NewGuid"/> makes them, that one shard holds, so
    /// they are added with one call and one write. The shard is picked at random for each batch, so shards stay even.
    /// </summary>
    public string[] NewKeys(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var shard = (uint)Random.Shared.Next(shards);
        var keys = new string[count];
        for (var i = 0; i < count; i++)
        {
            keys[i] = NewKeyIn(shard);
        }

        return keys;
    }

    /// <summary>Removes a key; removing a missing one is harmless.</summary>
    public Task Remove(string key) => ShardOf(key).Remove(key);

    /// <summary>Whether the key is registered; reads only the grain that would hold it.</summary>
    public async Task<bool> Contains(string key) => (await ShardOf(key).List()).Contains(key, StringComparer.Ordinal);

    /// <summary>All keys, in ordinal order.</summary>
    public async Task<IReadOnlyList<string>> List()
    {
        if (shards == 1)
        {
            return await Shard(0).List();
        }

        var lists = await Task.WhenAll(Enumerable.Range(0, shards).Select(i => Shard(i).List()));
        return [.. lists.SelectMany(keys => keys).Order(StringComparer.Ordinal)];
    }

    /// <summary>At most <paramref name="limit"/> keys after <paramref name="after"/> (from the first when null), in ordinal order.</summary>
    public async Task<IReadOnlyList<string>> ListPage(string? after, int limit)
    {
        if (shards == 1)
        {
            return await Shard(0).ListPage(after, limit);
        }

        // Each shard's first keys after the cursor; the page is the smallest of them all.
        var pages = await Task.WhenAll(Enumerable.Range(0, shards).Select(i => Shard(i).ListPage(after, limit)));
        return [.. pages.SelectMany(keys => keys).Order(StringComparer.Ordinal).Take(limit)];
    }

    private IRegistryGrain ShardOf(string key) => Shard(ShardIndex(key));

    private int ShardIndex(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return shards == 1 ? 0 : (int)(Fnv1a(key) % (uint)shards);
    }

    // A UUID's last byte is random like the rest (only its version and variant bits are fixed), so it is the one chosen:
    // of its 256 values, about four put the key in any given shard; a UUID none of them does is replaced.
    private string NewKeyIn(uint shard)
    {
        Span<char> key = stackalloc char[36];
        while (true)
        {
            Guid.NewGuid().TryFormat(key, out _);
            var prefix = Fnv1a(key[..34]);
            for (var last = 0; last < 256; last++)
            {
                key[34] = HexDigit(last >> 4);
                key[35] = HexDigit(last & 15);
                if (shards == 1 || Fnv1a(key[34..], prefix) % (uint)shards == shard)
                {
                    return new string(key);
                }
            }
        }
    }

    private static char HexDigit(int value) => (char)(value < 10 ? '0' + value : 'a' + value - 10);

    private IRegistryGrain Shard(int index) =>
        grains.GetGrain<IRegistryGrain>(shards == 1 ? kind : string.Create(CultureInfo.InvariantCulture, $"{kind}/{index:D2}"));

    // The same on every silo and client, which string.GetHashCode is not; FNV-1a written here as it is five lines.
    private static uint Fnv1a(ReadOnlySpan<char> key, uint hash = 2166136261u)
    {
        foreach (var c in key)
        {
            hash = (hash ^ c) * 16777619u;
        }

        return hash;
    }
}
