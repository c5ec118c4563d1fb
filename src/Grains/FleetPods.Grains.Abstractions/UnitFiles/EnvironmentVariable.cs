namespace FleetPods.Grains.UnitFiles;

/// <summary>One variable of the app's environment.</summary>
[GenerateSerializer, Immutable]
public sealed record EnvironmentVariable(
    [property: Id(0)] string Name,
    [property: Id(1)] string Value);
