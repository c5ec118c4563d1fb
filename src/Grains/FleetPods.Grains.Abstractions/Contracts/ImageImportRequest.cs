namespace FleetPods.Grains;

/// <summary>An image to import from a node's own disk.</summary>
/// <param name="Source">An ACI file, an OCI image layout (a directory or a tar of one) or a docker archive, as a path on that node.</param>
/// <param name="Reference">Which image of a layout (its ref name) or docker archive (its repo tag); null takes the only one.</param>
/// <param name="Name">The name to store an OCI or docker image under; by default its repo tag or file name.</param>
/// <param name="ExpectedDigest">The image id the import must produce (<c>sha512-…</c> or <c>sha256-…</c>/<c>sha256:…</c>), or null.</param>
[GenerateSerializer, Immutable]
public sealed record ImageImportRequest(
    [property: Id(0)] string Source,
    [property: Id(1)] string? Reference = null,
    [property: Id(2)] string? Name = null,
    [property: Id(3)] string? ExpectedDigest = null);
