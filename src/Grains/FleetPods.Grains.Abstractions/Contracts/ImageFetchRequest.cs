namespace FleetPods.Grains;

/// <summary>
/// An image to download (http, https or file URL) or pull (<c>docker://</c> or <c>oci://</c> reference) into a
/// node's store and import.
/// </summary>
/// <param name="FetchId">Chosen by the caller, to follow the download with <see cref="IImageStoreGrain.GetFetchProgress"/>.</param>
/// <param name="ExpectedDigest">The image id the download must produce, or null to accept any.</param>
/// <param name="Auth">A registry pull's credentials, for that registry only.</param>
/// <param name="CaCertificates">PEM certificates the registry's must chain to, instead of the system's CAs.</param>
/// <param name="Insecure">A registry pull over plain HTTP.</param>
/// <param name="InsecureImage">
/// Store an image fetched over the network without checking its signature (rkt's <c>--insecure-options=image</c>);
/// otherwise it must be an ACI signed by a key the cluster trusts for its name (<see cref="ITrustGrain"/>).
/// </param>
[GenerateSerializer, Immutable]
public sealed record ImageFetchRequest(
    [property: Id(0)] string Url,
    [property: Id(1)] string FetchId,
    [property: Id(2)] string? ExpectedDigest = null,
    [property: Id(3)] string? Reference = null,
    [property: Id(4)] string? Name = null,
    [property: Id(5)] RegistryAuth? Auth = null,
    [property: Id(6)] string? CaCertificates = null,
    [property: Id(7)] bool Insecure = false,
    [property: Id(8)] bool InsecureImage = false);
