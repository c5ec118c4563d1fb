using System.Text.Json;

namespace FleetPods.NodeRuntime.Images;

/// <summary>
/// Reads an OCI image layout directory (<c>oci-layout</c>, <c>index.json</c>, <c>blobs/&lt;alg&gt;/&lt;hex&gt;</c>): picks
/// the manifest by its <c>org.opencontainers.image.ref.name</c> (or the only one; a nested index is followed to
/// its linux/amd64 manifest), verifies manifest and config against their digests and plans the layers in order.
/// Blob paths are built only from parsed digests, never from names in the layout.
/// </summary>
internal static class OciLayoutImporter
{
    private const string RefNameAnnotation = "org.opencontainers.image.ref.name";
    private const string IndexMediaType = "application/vnd.oci.image.index.v1+json";
    private const string DockerListMediaType = "application/vnd.docker.distribution.manifest.list.v2+json";

    private static readonly HashSet<string> LayerMediaTypes = new(StringComparer.Ordinal)
    {
        "application/vnd.oci.image.layer.v1.tar",
        "application/vnd.oci.image.layer.v1.tar+gzip",
        "application/vnd.oci.image.layer.v1.tar+zstd",
        "application/vnd.oci.image.layer.nondistributable.v1.tar",
        "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip",
        "application/vnd.docker.image.rootfs.diff.tar.gzip",
        "application/vnd.docker.image.rootfs.diff.tar",
    };

    public static ImagePlan Plan(string layout, string source, ImageImportOptions options)
    {
        var layoutFile = ImageJson.Parse(ImageJson.ReadFile(Path.Combine(layout, "oci-layout"), $"{source}: oci-layout"), $"{source}: oci-layout");
        if (ImageJson.String(layoutFile, "imageLayoutVersion") != "1.0.0")
        {
            throw new ImageImportException($"{source}: oci-layout: imageLayoutVersion is not \"1.0.0\"");
        }

        var index = ImageJson.Parse(ImageJson.ReadFile(Path.Combine(layout, "index.json"), $"{source}: index.json"), $"{source}: index.json");
        var descriptor = Select(layout, source, index, options.Reference);
        var manifestDigest = ContentDigest.Parse(ImageJson.String(descriptor, "digest") ?? "", $"{source}: index.json: manifest digest");
        var manifestBytes = ReadBlob(layout, source, manifestDigest, "manifest");
        var manifest = ImageJson.Parse(manifestBytes, $"{source}: manifest {manifestDigest}");
        var configDescriptor = manifest.TryGetProperty("config", out var c) ? c : default;
        var configDigest = ContentDigest.Parse(ImageJson.String(configDescriptor, "digest") ?? "", $"{source}: manifest: config digest");
        var configBytes = ReadBlob(layout, source, configDigest, "config");
        var config = OciImageConfig.Parse(configBytes, $"{source}: config {configDigest}");

        var layers = ImageJson.Array(manifest, "layers");
        if (config.DiffIds.Count != layers.Length)
        {
            throw new ImageImportException($"{source}: the manifest lists {layers.Length} layers but the config's rootfs.diff_ids {config.DiffIds.Count}");
        }

        var sources = layers.Select((layer, i) =>
        {
            var what = $"{source}: layer {i + 1} of {layers.Length}";
            var mediaType = ImageJson.String(layer, "mediaType") ?? "";
            if (!LayerMediaTypes.Contains(mediaType))
            {
                throw new ImageImportException($"{what}: media type '{mediaType}' is not a layer this node can extract");
            }

            var digest = ContentDigest.Parse(ImageJson.String(layer, "digest") ?? "", what);
            long? size = layer.TryGetProperty("size", out var s) && s.TryGetInt64(out var n) ? n : null;
            return new LayerSource(digest, BlobPath(layout, digest), size, ImageLayerKind.Changeset, config.DiffIds[i], $"{what} ({digest})");
        }).ToList();

        var reference = ImageJson.String(descriptor.TryGetProperty("annotations", out var a) ? a : default, RefNameAnnotation) ?? options.Reference;
        var labels = new Dictionary<string, string>(StringComparer.Ordinal) { ["version"] = reference ?? "latest", ["os"] = "linux" };
        var name = options.Name ?? LayoutName(source);
        return new ImagePlan(manifestDigest, ImageFormat.Oci, name, labels, config.App, manifestBytes, sources, [KeyValuePair.Create(manifestDigest, manifestBytes), KeyValuePair.Create(configDigest, configBytes)]);
    }

    /// <summary>The layout's file name without archive extensions: <c>/tmp/busybox-oci.tar</c> is <c>busybox-oci</c>.</summary>
    public static string LayoutName(string source)
    {
        var name = Path.GetFileName(Path.TrimEndingDirectorySeparator(source));
        foreach (var extension in new[] { ".tar.gz", ".tgz", ".tar", ".oci" })
        {
            if (name.EndsWith(extension, StringComparison.OrdinalIgnoreCase) && name.Length > extension.Length)
            {
                return name[..^extension.Length];
            }
        }

        return name;
    }

    private static JsonElement Select(string layout, string source, JsonElement index, string? reference)
    {
        var manifests = ImageJson.Array(index, "manifests");
        var candidates = reference is null
            ? manifests
            : [.. manifests.Where(m => ImageJson.String(m.TryGetProperty("annotations", out var a) ? a : default, RefNameAnnotation) == reference)];
        if (candidates.Length != 1)
        {
            var names = manifests.Select(m => ImageJson.String(m.TryGetProperty("annotations", out var a) ? a : default, RefNameAnnotation) ?? "(unnamed)");
            throw new ImageImportException(reference is null
                ? $"{source}: index.json lists {manifests.Length} images ({string.Join(", ", names)}); name one with --ref"
                : $"{source}: index.json has no image with ref name '{reference}' (it has: {string.Join(", ", names)})");
        }

        var chosen = candidates[0];
        var mediaType = ImageJson.String(chosen, "mediaType");
        if (mediaType is IndexMediaType or DockerListMediaType)
        {
            var nestedDigest = ContentDigest.Parse(ImageJson.String(chosen, "digest") ?? "", $"{source}: index.json: nested index digest");
            var nested = ImageJson.Parse(ReadBlob(layout, source, nestedDigest, "nested index"), $"{source}: nested index");
            var forThisNode = ImageJson.Array(nested, "manifests").Where(m =>
                m.TryGetProperty("platform", out var p) && ImageJson.String(p, "os") == "linux" && ImageJson.String(p, "architecture") == "amd64").ToArray();
            return forThisNode.Length > 0 ? forThisNode[0] : throw new ImageImportException($"{source}: the image has no linux/amd64 manifest");
        }

        return chosen;
    }

    private static string BlobPath(string layout, ContentDigest digest) => Path.Combine(layout, "blobs", digest.Algorithm, digest.Hex);

    private static byte[] ReadBlob(string layout, string source, ContentDigest digest, string what)
    {
        var bytes = ImageJson.ReadFile(BlobPath(layout, digest), $"{source}: {what} blob {digest}");
        using var hash = System.Security.Cryptography.IncrementalHash.CreateHash(digest.HashAlgorithm);
        hash.AppendData(bytes);
        var actual = Convert.ToHexStringLower(hash.GetHashAndReset());
        return actual == digest.Hex
            ? bytes
            : throw new ImageImportException($"{source}: {what} blob: digest mismatch: expected {digest}, the content is {digest.Algorithm}-{actual}");
    }
}
