namespace FleetPods.Grains;

/// <summary>How far one layer of a registry pull has come.</summary>
/// <param name="Digest">The layer's digest (<c>sha256:…</c>).</param>
/// <param name="TotalBytes">Its size as the manifest declares it, or null when it does not.</param>
[GenerateSerializer, Immutable]
public sealed record LayerFetchProgress(
    [property: Id(0)] string Digest,
    [property: Id(1)] long ReceivedBytes,
    [property: Id(2)] long? TotalBytes,
    [property: Id(3)] int Attempt);
