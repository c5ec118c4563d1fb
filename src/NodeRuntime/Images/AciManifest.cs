using System.Text.Json;

namespace FleetPods.NodeRuntime.Images;

/// <summary>The parts of an appc image manifest (the <c>manifest</c> file of an ACI) that a pod uses.</summary>
internal sealed record AciManifest(string Name, IReadOnlyDictionary<string, string> Labels, ImageApp? App)
{
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

            return new AciManifest(name, labels, root.TryGetProperty("app", out var app) && app.ValueKind == JsonValueKind.Object ? ParseApp(app) : null);
        }
        catch (JsonException ex)
        {
            throw new ImageImportException($"{archive}: manifest is not valid JSON: {ex.Message}");
        }
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
