using System.Security.Cryptography;
using System.Text.Json;

namespace FleetPods.NodeRuntime.Images;

/// <summary>
/// Reads what <c>docker save</c> (or <c>skopeo copy … docker-archive:</c>) writes, unpacked: <c>manifest.json</c>
/// lists each image's config and layer files. The image id is the sha256 of the config, as docker's; each layer
/// is hashed to address it and must match the config's <c>rootfs.diff_ids</c> once uncompressed. Paths named in
/// manifest.json must stay inside the archive.
/// </summary>
internal static class DockerArchiveImporter
{
    public static ImagePlan Plan(string directory, string source, ImageImportOptions options)
    {
        var manifestBytes = ImageJson.ReadFile(Path.Combine(directory, "manifest.json"), $"{source}: manifest.json");
        JsonElement[] entries;
        try
        {
            using var document = JsonDocument.Parse(manifestBytes);
            entries = document.RootElement.ValueKind == JsonValueKind.Array
                ? [.. document.RootElement.EnumerateArray().Select(e => e.Clone())]
                : throw new ImageImportException($"{source}: manifest.json is not a JSON array");
        }
        catch (JsonException ex)
        {
            throw new ImageImportException($"{source}: manifest.json is not valid JSON: {ex.Message}", ex);
        }

        var candidates = options.Reference is null ? entries : [.. entries.Where(e => ImageJson.Strings(e, "RepoTags", source).Contains(options.Reference))];
        if (candidates.Length != 1)
        {
            var available = entries.SelectMany(e => ImageJson.Strings(e, "RepoTags", source));
            throw new ImageImportException(options.Reference is null
                ? $"{source}: manifest.json lists {entries.Length} images ({string.Join(", ", available)}); name one with --ref"
                : $"{source}: no image tagged '{options.Reference}' (it has: {string.Join(", ", available)})");
        }

        var entry = candidates[0];
        var configPath = Inside(directory, ImageJson.String(entry, "Config"), source, "Config");
        var configBytes = ImageJson.ReadFile(configPath, $"{source}: config");
        var configDigest = new ContentDigest("sha256", Convert.ToHexStringLower(SHA256.HashData(configBytes)));
        var config = OciImageConfig.Parse(configBytes, $"{source}: config");
        var layerFiles = ImageJson.Strings(entry, "Layers", source);
        if (layerFiles.Count != config.DiffIds.Count)
        {
            throw new ImageImportException($"{source}: manifest.json lists {layerFiles.Count} layers but the config's rootfs.diff_ids {config.DiffIds.Count}");
        }

        var layers = layerFiles.Select((file, i) =>
        {
            var path = Inside(directory, file, source, $"layer {i + 1}");
            using var stream = File.OpenRead(path);
            var blob = new ContentDigest("sha256", Convert.ToHexStringLower(SHA256.HashData(stream)));
            return new LayerSource(blob, path, stream.Length, ImageLayerKind.Changeset, config.DiffIds[i], $"{source}: layer {i + 1} of {layerFiles.Count} ({file})");
        }).ToList();

        var tags = ImageJson.Strings(entry, "RepoTags", source);
        var tag = options.Reference is { } wanted && tags.Contains(wanted) ? wanted : tags.Count > 0 ? tags[0] : null;
        var colon = tag?.LastIndexOf(':') ?? -1;
        var name = options.Name ?? DockerHubShortName(colon > 0 && !tag![(colon + 1)..].Contains('/', StringComparison.Ordinal) ? tag[..colon] : tag) ?? OciLayoutImporter.LayoutName(source);
        var labels = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["version"] = colon > 0 ? tag![(colon + 1)..] : "latest",
            ["os"] = "linux",
        };
        var stored = JsonSerializer.SerializeToUtf8Bytes(entry);
        return new ImagePlan(configDigest, ImageFormat.DockerArchive, name, labels, config.App, stored, layers, [KeyValuePair.Create(configDigest, configBytes)]);
    }

    // docker names an official image "busybox" where skopeo records "docker.io/library/busybox".
    private static string? DockerHubShortName(string? name) =>
        name?.StartsWith("docker.io/library/", StringComparison.Ordinal) == true ? name["docker.io/library/".Length..]
        : name?.StartsWith("docker.io/", StringComparison.Ordinal) == true ? name["docker.io/".Length..]
        : name;

    private static string Inside(string directory, string? relative, string source, string what)
    {
        if (string.IsNullOrEmpty(relative) || relative.StartsWith('/') || relative.Split('/').Contains(".."))
        {
            throw new ImageImportException($"{source}: manifest.json: {what} '{relative}' is not a path inside the archive");
        }

        // docker save links a layer that two images share; whatever links the path crosses, the file it opens must be
        // inside the archive, which the kernel's own name for the open file tells.
        try
        {
            var root = Path.GetDirectoryName(RealPath(Path.Combine(directory, "manifest.json"))) + "/";
            var real = RealPath(Path.Combine(directory, relative));
            if (real.StartsWith(root, StringComparison.Ordinal) && File.Exists(real))
            {
                return real;
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
        }

        throw new ImageImportException($"{source}: manifest.json: {what} '{relative}' is not a file in the archive");
    }

    private static string RealPath(string path)
    {
        using var handle = File.OpenHandle(path);
        return new FileInfo($"/proc/self/fd/{handle.DangerousGetHandle()}").LinkTarget ?? throw new IOException($"no real path for {path}");
    }
}
