namespace FleetPods.Grains;

/// <summary>An image in one node's store.</summary>
/// <param name="Digest">The image id: <c>sha512-…</c> of an ACI, <c>sha256-…</c> of an OCI manifest or a docker config.</param>
/// <param name="Format"><c>aci</c>, <c>oci</c> or <c>docker-archive</c>.</param>
/// <param name="SizeBytes">Bytes of its blobs as stored.</param>
/// <param name="LastUsedAt">When a pod last started from it (its import time if none has).</param>
[GenerateSerializer, Immutable]
public sealed record StoredImage(
    [property: Id(0)] string Node,
    [property: Id(1)] string Digest,
    [property: Id(2)] string Name,
    [property: Id(3)] IReadOnlyDictionary<string, string> Labels,
    [property: Id(4)] string Format,
    [property: Id(5)] long SizeBytes,
    [property: Id(6)] DateTimeOffset ImportedAt,
    [property: Id(7)] DateTimeOffset LastUsedAt);
