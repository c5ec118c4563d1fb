namespace FleetPods.Grains.UnitFiles;

/// <summary>A volume of the pod, from <c>Volume=NAME,kind=host,source=/path[,readOnly=true]</c> or <c>Volume=NAME,kind=empty</c>.</summary>
/// <param name="Source">The node's directory for <see cref="VolumeKind.Host"/>; null for <see cref="VolumeKind.Empty"/>.</param>
[GenerateSerializer, Immutable]
public sealed record VolumeSpec(
    [property: Id(0)] string Name,
    [property: Id(1)] VolumeKind Kind,
    [property: Id(2)] string? Source,
    [property: Id(3)] bool ReadOnly);
