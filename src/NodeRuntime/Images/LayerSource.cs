namespace FleetPods.NodeRuntime.Images;

/// <summary>
/// Where a layer's blob is read from when its tree must be built: the import's file, or the store's own copy.
/// <paramref name="DiffId"/>, when known, is the digest of the uncompressed tar (OCI's and docker's diff_ids).
/// </summary>
internal sealed record LayerSource(ContentDigest Blob, string Path, long? Size, ImageLayerKind Kind, ContentDigest? DiffId, string What);
