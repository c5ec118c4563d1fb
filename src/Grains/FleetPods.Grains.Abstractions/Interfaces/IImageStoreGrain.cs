namespace FleetPods.Grains;

/// <summary>
/// One node's image store, keyed by node name and activated on that node's silo (rkt's image commands). Calls
/// interleave: a long import or download does not hold up another.
/// </summary>
public interface IImageStoreGrain : IGrainWithStringKey
{
    /// <summary>Imports an image from a path on this node; the cluster then knows this node holds it.</summary>
    Task<ImageInfo> Import(ImageImportRequest request);

    /// <summary>Downloads and imports an image, retrying transient errors and resuming where the server allows.</summary>
    Task<ImageInfo> Fetch(ImageFetchRequest request);

    /// <summary>A download's progress, or null once it has finished (or never started here).</summary>
    Task<ImageFetchProgress?> GetFetchProgress(string fetchId);

    /// <summary>The images in this node's store.</summary>
    Task<IReadOnlyList<StoredImage>> List();

    /// <summary>Removes an image unless a pod on this node uses it; returns what was removed.</summary>
    Task<StoredImage> Remove(string image);

    /// <summary>Removes the images no pod uses and none has used for longer than <paramref name="gracePeriod"/>.</summary>
    Task<IReadOnlyList<StoredImage>> CollectGarbage(TimeSpan gracePeriod);

    /// <summary>Writes the image as an archive at a new path on this node (an ACI as imported; OCI and docker images as their own archives).</summary>
    Task Export(string image, string path);

    /// <summary>Writes the image's merged root filesystem (and, unless <paramref name="rootfsOnly"/>, its manifest) into a new directory on this node.</summary>
    Task Extract(string image, string path, bool rootfsOnly);

    /// <summary>The image's manifest as stored.</summary>
    Task<byte[]> ReadManifest(string image);

    /// <summary>Makes sure this node holds the image a pod names, pulling it from a node that has it if needed.</summary>
    Task EnsureImage(string reference);

    /// <summary>Serves a piece of the image's archive (what <see cref="Export"/> writes) to another node, by digest.</summary>
    Task<ImageTransferChunk> ReadTransfer(string digest, long offset, int maxBytes);
}
