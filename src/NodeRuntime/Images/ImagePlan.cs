namespace FleetPods.NodeRuntime.Images;

/// <summary>
/// What an importer read from an archive's metadata before any layer is extracted: the image's identity, its
/// app defaults, its manifest as stored for <c>image cat-manifest</c>, its layers (bottom first) and the small
/// blobs (manifest, config) the store keeps for export and for peers.
/// </summary>
internal sealed record ImagePlan(
    ContentDigest Id,
    ImageFormat Format,
    string Name,
    IReadOnlyDictionary<string, string> Labels,
    ImageApp? App,
    byte[] Manifest,
    IReadOnlyList<LayerSource> Layers,
    IReadOnlyList<KeyValuePair<ContentDigest, byte[]>> MetadataBlobs);
