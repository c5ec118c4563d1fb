using System.Text.Json;

namespace FleetPods.NodeRuntime.Images;

/// <summary>The parts of an appc image manifest (the <c>manifest</c> file of an ACI) that a pod uses.</summary>
internal sealed record AciManifest(string Name, IReadOnlyDictionary<string, string> Labels, ImageApp? App)
{
    /// <summary>Images whose trees lie under this one, first first, as appc's <c>dependencies</c> names them.</summary>
    public IReadOnlyList<AciDependency> Dependencies { get; init; } = [];

    /// <summary>appc's <c>pathWhitelist</c>: when not empty, the only paths the rendered rootfs keeps.</summary>
    public IReadOnlyList<string> PathWhitelist { get; init; } = [];

    private const int MaxManifestBytes = 1 << 20;

    public static AciManifest Parse(byte[] json, string archive)
    {
        ArgumentNullException.ThrowIfNull(json);
        if (json.Length > MaxManifestBytes)
        {
            throw new ImageImportException($"{archive}: manifest is larger than {MaxManifestBytes} bytes");
        }

        try
        {
            using var document = JsonDocument.Parse(json);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || String(root, "acKind") != "ImageManifest")
            {
                throw new ImageImportException($"{archive}: manifest: acKind is not \"ImageManifest\"");
            }

            var name = String(root, "name");
            if (string.IsNullOrWhiteSpace(name))
            {
                throw new ImageImportException($"{archive}: manifest: name is missing");
            }

            var labels = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var label in Array(root, "labels"))
            {
                if (String(label, "name") is { } key && String(label, "value") is { } value)
                {
                    labels[key] = value;
                }
            }

            return new AciManifest(name, labels, root.TryGetProperty("app", out var app) && app.ValueKind == JsonValueKind.Object ? ParseApp(app) : null)
            {
                Dependencies = [.. Array(root, "dependencies").Select(d => ParseDependency(d, archive))],
                PathWhitelist = [.. Array(root, "pathWhitelist").Select(p => p.ValueKind == JsonValueKind.String && p.GetString()!.StartsWith('/')
                    ? p.GetString()!
                    : throw new ImageImportException($"{archive}: manifest: pathWhitelist holds {p.GetRawText()}, not an absolute path"))],
            };
        }
        catch (JsonException ex)
        {
            throw new ImageImportException($"{archive}: manifest is not valid JSON: {ex.Message}");
        }
    }

    private static AciDependency ParseDependency(JsonElement dependency, string archive)
    {
        var name = String(dependency, "imageName");
        if (string.IsNullOrWhiteSpace(name))
        {
            throw new ImageImportException($"{archive}: manifest: a dependency has no imageName");
        }

        var labels = Array(dependency, "labels")
            .Where(l => String(l, "name") is not null && String(l, "value") is not null)
            .ToDictionary(l => String(l, "name")!, l => String(l, "value")!, StringComparer.Ordinal);
        return new AciDependency(name, String(dependency, "imageID"), labels);
    }

    private static ImageApp ParseApp(JsonElement app) => new(
        [.. Array(app, "exec").Select(e => e.ValueKind == JsonValueKind.String ? e.GetString()! : throw new JsonException("app.exec holds a non-string"))],
        [.. Array(app, "environment").Where(e => String(e, "name") is not null).Select(e => KeyValuePair.Create(String(e, "name")!, String(e, "value") ?? ""))],
        String(app, "workingDirectory"),
        String(app, "user") ?? "0",
        String(app, "group") ?? "0");

    private static string? String(JsonElement element, string property) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;

    private static JsonElement[] Array(JsonElement element, string property) =>
        element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.Array ? [.. value.EnumerateArray()] : [];
}
