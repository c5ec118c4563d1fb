namespace FleetPods.Grains;

/// <summary>An image by digest and the nodes that hold it.</summary>
/// <param name="Digest">Content address, e.g. <c>sha512-…</c> for an AppC ACI.</param>
/// <param name="Exec">The image's own exec, or null when it defines none.</param>
[GenerateSerializer, Immutable]
public sealed record ImageInfo(
    [property: Id(0)] string Digest,
    [property: Id(1)] string Name,
    [property: Id(2)] IReadOnlyDictionary<string, string> Labels,
    [property: Id(3)] long SizeBytes,
    [property: Id(4)] IReadOnlyList<string>? Exec,
    [property: Id(5)] DateTimeOffset ImportedAt,
    [property: Id(6)] IReadOnlyList<string> Nodes)
{
    /// <summary>True when <paramref name="reference"/> names this image: its digest, its name, or name:version.</summary>
    public bool IsNamedBy(string reference)
    {
        ArgumentNullException.ThrowIfNull(reference);
        if (reference == Digest || reference == Name)
        {
            return true;
        }

        var colon = reference.LastIndexOf(':');
        return colon > 0
            && reference[..colon] == Name
            && Labels.TryGetValue("version", out var version)
            && version == reference[(colon + 1)..];
    }
}
