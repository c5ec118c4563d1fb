namespace FleetPods.NodeRuntime;

/// <summary>How to import an image archive or layout.</summary>
public sealed record ImageImportOptions
{
    /// <summary>Which image of an OCI layout (its ref name) or docker archive (its repo tag); null takes the only one.</summary>
    public string? Reference { get; init; }

    /// <summary>The name to store an OCI or docker image under; by default the archive's repo tag or file name.</summary>
    public string? Name { get; init; }

    /// <summary>The image id the import must produce (<c>sha512-…</c> or <c>sha256-…</c>), or null to accept any.</summary>
    public string? ExpectedDigest { get; init; }
}
