namespace FleetPods.Grains.Registry;

[GenerateSerializer]
public sealed class RegistryState
{
    /// <summary>The keys as stored before <see cref="Packed"/>: read when <see cref="Packed"/> is null, never written.</summary>
    [Id(0)]
    public HashSet<string> Keys { get; set; } = new(StringComparer.Ordinal);

    /// <summary>
    /// The keys in ordinal order, one per line. One string, because Orleans' serializer tracks every object it writes
    /// for references: a shard of 1,500 pod ids written as a set of strings spent most of its time on that, and the
    /// pods' registry is written for nearly every pod made or removed.
    /// </summary>
    [Id(1)]
    public string? Packed { get; set; }

    public IEnumerable<string> Read() =>
        Packed is null ? Keys : Packed.Length == 0 ? [] : Packed.Split('\n');
}
