namespace FleetPods.Grains;

/// <summary>An image to download (http, https or file URL) into a node's store and import.</summary>
/// <param name="FetchId">Chosen by the caller, to follow the download with <see cref="IImageStoreGrain.GetFetchProgress"/>.</param>
/// <param name="ExpectedDigest">The image id the download must produce, or null to accept any.</param>
[GenerateSerializer, Immutable]
public sealed record ImageFetchRequest(
    [property: Id(0)] string Url,
    [property: Id(1)] string FetchId,
    [property: Id(2)] string? ExpectedDigest = null,
    [property: Id(3)] string? Reference = null,
    [property: Id(4)] string? Name = null);
