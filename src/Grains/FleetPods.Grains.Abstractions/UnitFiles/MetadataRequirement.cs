namespace FleetPods.Grains.UnitFiles;

/// <summary>One <c>key=value</c> of <c>MachineMetadata=</c>.</summary>
[GenerateSerializer, Immutable]
public sealed record MetadataRequirement(
    [property: Id(0)] string Key,
    [property: Id(1)] string Value);
