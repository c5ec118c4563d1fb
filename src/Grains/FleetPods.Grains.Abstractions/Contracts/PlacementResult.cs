namespace FleetPods.Grains;

/// <summary>The scheduler's answer: the node that reserved room for a pod, or why none did.</summary>
[GenerateSerializer, Immutable]
public sealed record PlacementResult(
    [property: Id(0)] string? NodeName,
    [property: Id(1)] string? Reason)
{
    public bool Placed => NodeName is not null;
}
