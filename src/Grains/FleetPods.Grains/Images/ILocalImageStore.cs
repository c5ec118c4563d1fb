namespace FleetPods.Grains.Images;

/// <summary>
/// The boundary between a node's image store grain and the machine's store (as <see cref="Nodes.LocalNode"/> is
/// for pods): the silo implements it over NodeRuntime. Errors a person should read are <see cref="FleetPodsException"/>.
/// </summary>
public interface ILocalImageStore
{
    Task<ImageInfo> Import(ImageImportRequest request);

    /// <summary>
    /// Downloads or pulls an image. An image downloaded from an http or https URL is checked against
    /// <paramref name="trustedKeys"/> unless the request says <see cref="ImageFetchRequest.InsecureImage"/>.
    /// </summary>
    Task<ImageInfo> Fetch(ImageFetchRequest request, IReadOnlyList<TrustedKey> trustedKeys, IProgress<ImageFetchProgress> progress);

    /// <summary>A <c>docker://</c> reference pinned to the digest of the manifest its tag names now (<c>…:TAG@sha256:…</c>), asked with <paramref name="secret"/>.</summary>
    Task<string> Pin(string reference, RegistryPullSecret? secret);

    IReadOnlyList<StoredImage> List();

    /// <summary>The image's digest if this node holds it under that name, name:version or digest.</summary>
    string? Find(string reference);

    StoredImage Remove(string image);

    IReadOnlyList<StoredImage> CollectGarbage(TimeSpan gracePeriod);

    Task Export(string image, string path);

    Task Extract(string image, string path, bool rootfsOnly);

    byte[] ReadManifest(string image);

    /// <summary>Imports an image from an archive written by another node's <see cref="Export"/>, which must have the digest given.</summary>
    Task<ImageInfo> ImportTransfer(string digest, Func<long, Task<ImageTransferChunk>> readChunk);

    Task<ImageTransferChunk> ReadTransfer(string digest, long offset, int maxBytes);
}
