namespace FleetPods.Grains.Registry;

/// <summary>
/// A registry shard's adds and removes since its set (<see cref="RegistryState"/>) was last written, in the order
/// they were made. Stored beside the set so an add writes the few changes rather than every key of the shard.
/// </summary>
[GenerateSerializer]
public sealed class RegistryChanges
{
    [Id(0)]
    public RegistryChange[] Changes { get; set; } = [];
}

/// <param name="Key">The key added or removed.</param>
/// <param name="Added">True for an add, false for a remove.</param>
[GenerateSerializer]
public sealed record RegistryChange([property: Id(0)] string Key, [property: Id(1)] bool Added);
