namespace FleetPods.Grains.UnitFiles;

/// <summary>What specifiers expand to: the unit's name and the node the pod was placed on.</summary>
/// <param name="UnitName">The unit's full name, e.g. <c>web@1.pod</c> (gives <c>%n</c>, <c>%N</c>, <c>%p</c>, <c>%i</c>).</param>
/// <param name="NodeName">The node's name (<c>%m</c>), or null while the pod is not placed.</param>
[GenerateSerializer, Immutable]
public sealed record SpecifierContext(
    [property: Id(0)] string UnitName,
    [property: Id(1)] string? NodeName);
