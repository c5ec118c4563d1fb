namespace FleetPods.Grains;

/// <summary>A pod holding a reservation on a node, with what Conflicts= needs to know of it.</summary>
/// <param name="UnitName">Its unit, or null for a one-off pod.</param>
/// <param name="Conflicts">Its unit's Conflicts= globs, specifiers expanded.</param>
[GenerateSerializer, Immutable]
public sealed record PlacedPod(
    [property: Id(0)] string PodId,
    [property: Id(1)] string? UnitName,
    [property: Id(2)] IReadOnlyList<string> Conflicts);
