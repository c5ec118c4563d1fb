namespace FleetPods.NodeRuntime;

/// <summary>An image in this node's store.</summary>
/// <param name="Digest">The image's id: <c>sha512-…</c> of an ACI, <c>sha256-…</c> of an OCI manifest or a docker config.</param>
/// <param name="SizeBytes">Bytes of the image's blobs (archives or layers) as stored.</param>
public sealed record ImageRecord(
    string Digest,
    string Name,
    IReadOnlyDictionary<string, string> Labels,
    long SizeBytes,
    ImageApp? App,
    DateTimeOffset ImportedAt)
{
    public ImageFormat Format { get; init; }

    /// <summary>Bottom first: an ACI's dependencies' layers, then its own; an OCI image's layers in manifest order.</summary>
    public IReadOnlyList<ImageLayer> Layers { get; init; } = [];

    /// <summary>appc's pathWhitelist: when not empty, the only paths a pod's rootfs shows.</summary>
    public IReadOnlyList<string> PathWhitelist { get; init; } = [];

    /// <summary>When a pod last used the image (its import, if none has).</summary>
    public DateTimeOffset LastUsedAt { get; init; }
}
