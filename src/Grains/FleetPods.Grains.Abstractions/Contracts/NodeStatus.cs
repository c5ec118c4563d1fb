namespace FleetPods.Grains;

/// <summary>One registered node: whether it is up, and what it holds.</summary>
/// <param name="Info">
/// Up: the node as it is now. Down or unreachable: the node as it last stored itself (its last announcement and
/// reservations). Null if it never announced.
/// </param>
[GenerateSerializer, Immutable]
public sealed record NodeStatus(
    [property: Id(0)] string Name,
    [property: Id(1)] NodeLiveness Liveness,
    [property: Id(2)] NodeInfo? Info);
