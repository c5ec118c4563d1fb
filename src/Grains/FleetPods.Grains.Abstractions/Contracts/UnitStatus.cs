namespace FleetPods.Grains;

/// <summary>A submitted unit: what was asked of it and what its pod does.</summary>
/// <param name="Pod">Its current pod, if it has one.</param>
[GenerateSerializer, Immutable]
public sealed record UnitStatus(
    [property: Id(0)] string Name,
    [property: Id(1)] string? Description,
    [property: Id(2)] bool IsTemplate,
    [property: Id(3)] UnitDesiredState DesiredState,
    [property: Id(4)] PodStatus? Pod,
    [property: Id(5)] DateTimeOffset SubmittedAt);
