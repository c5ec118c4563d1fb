namespace FleetPods.Grains.UnitFiles;

/// <summary>Where a declared volume appears inside the pod, from <c>Mount=volume=NAME,target=/path</c>.</summary>
[GenerateSerializer, Immutable]
public sealed record MountSpec(
    [property: Id(0)] string Volume,
    [property: Id(1)] string Target);
