namespace FleetPods.Grains.Units;

/// <summary>One pod of a unit, as the unit remembers it.</summary>
/// <param name="Revision">The unit's revision it was made from; older ones are rolled over after a changed submit.</param>
/// <param name="RequiredNode">The node it is bound to (a global unit's node, a restart's own node), or null.</param>
[GenerateSerializer, Immutable]
public sealed record UnitPod(
    [property: Id(0)] string PodId,
    [property: Id(1)] int Revision,
    [property: Id(2)] string? RequiredNode);
