namespace FleetPods.Grains;

/// <summary>How far a download has come.</summary>
/// <param name="TotalBytes">The size the server announced, or null when it did not.</param>
/// <param name="Attempt">1 for the first try; more after transient errors, each resuming where the last stopped when the server allows ranges.</param>
/// <param name="Layers">A registry pull's layers being downloaded, each on its own; null for a single download.</param>
[GenerateSerializer, Immutable]
public sealed record ImageFetchProgress(
    [property: Id(0)] long ReceivedBytes,
    [property: Id(1)] long? TotalBytes,
    [property: Id(2)] int Attempt,
    [property: Id(3)] LayerFetchProgress[]? Layers = null);
