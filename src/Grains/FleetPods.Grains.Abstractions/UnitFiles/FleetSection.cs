namespace FleetPods.Grains.UnitFiles;

/// <summary>The <c>[X-Fleet]</c> section: constraints on where the pod may be placed.</summary>
/// <param name="MachineId">The only node the pod may run on, or null.</param>
/// <param name="MachineOf">A unit whose node this pod must share, or null.</param>
/// <param name="MachineMetadata">Metadata the node must have; several values for one key mean any of them.</param>
/// <param name="Conflicts">Globs of unit names this pod must not share a node with.</param>
/// <param name="Global">Whether the pod runs on every eligible node.</param>
/// <param name="Replaces">A unit this one displaces from its node, or null.</param>
[GenerateSerializer, Immutable]
public sealed record FleetSection(
    [property: Id(0)] string? MachineId,
    [property: Id(1)] string? MachineOf,
    [property: Id(2)] IReadOnlyList<MetadataRequirement> MachineMetadata,
    [property: Id(3)] IReadOnlyList<string> Conflicts,
    [property: Id(4)] bool Global,
    [property: Id(5)] string? Replaces);
