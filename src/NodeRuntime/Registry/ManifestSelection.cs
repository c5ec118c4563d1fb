using System.Text.Json;
using FleetPods.NodeRuntime.Images;

namespace FleetPods.NodeRuntime.Registry;

/// <summary>
/// Which documents a registry is asked for and which of them this node runs: OCI and docker v2 manifests, and
/// OCI indexes and docker manifest lists resolved to their linux/amd64 entry (the only platform a node runs).
/// </summary>
internal static class ManifestSelection
{
    public const string OciManifest = "application/vnd.oci.image.manifest.v1+json";
    public const string OciIndex = "application/vnd.oci.image.index.v1+json";
    public const string DockerManifest = "application/vnd.docker.distribution.manifest.v2+json";
    public const string DockerList = "application/vnd.docker.distribution.manifest.list.v2+json";

    /// <summary>The Accept header's media types, manifests first.</summary>
    public static readonly IReadOnlyList<string> Accepted = [OciManifest, DockerManifest, OciIndex, DockerList];

    public static bool IsIndex(string mediaType) => mediaType is OciIndex or DockerList;

    public static bool IsManifest(string mediaType) => mediaType is OciManifest or DockerManifest;

    /// <summary>
    /// The document's media type: its own <c>mediaType</c> field, else the Content-Type it came with (OCI lets a
    /// manifest leave the field out), else by its shape.
    /// </summary>
    public static string MediaType(JsonElement document, string? contentType) =>
        ImageJson.String(document, "mediaType") is { Length: > 0 } own ? own
        : contentType is { Length: > 0 } && contentType != "application/json" ? contentType
        : document.TryGetProperty("manifests", out _) ? OciIndex
        : OciManifest;

    /// <summary>The index's linux/amd64 manifest descriptor.</summary>
    /// <exception cref="ImageImportException">The index has none; the error names the platforms it has.</exception>
    public static JsonElement ForThisNode(JsonElement index, string what)
    {
        var entries = ImageJson.Array(index, "manifests");
        foreach (var entry in entries)
        {
            var platform = entry.TryGetProperty("platform", out var p) ? p : default;
            if (ImageJson.String(platform, "os") == "linux" && ImageJson.String(platform, "architecture") == "amd64" && IsManifest(ImageJson.String(entry, "mediaType") ?? OciManifest))
            {
                return entry;
            }
        }

        var platforms = entries.Select(e => e.TryGetProperty("platform", out var p) ? $"{ImageJson.String(p, "os")}/{ImageJson.String(p, "architecture")}" : "(none)");
        throw new ImageImportException($"{what}: no linux/amd64 image in the index (it has: {string.Join(", ", platforms)})");
    }
}
