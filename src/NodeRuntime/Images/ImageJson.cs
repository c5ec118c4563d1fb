using System.Text.Json;

namespace FleetPods.NodeRuntime.Images;

/// <summary>
/// Reads the small JSON documents of OCI layouts and docker archives (index, manifest, config) with a size cap,
/// so a hostile layout cannot make the daemon read gigabytes of "JSON", and with errors that name the document.
/// </summary>
internal static class ImageJson
{
    public const int MaxDocumentBytes = 4 << 20;

    public static byte[] ReadFile(string path, string what)
    {
        var info = new FileInfo(path);
        if (!info.Exists || info.LinkTarget is not null)
        {
            throw new ImageImportException($"{what}: missing");
        }

        if (info.Length > MaxDocumentBytes)
        {
            throw new ImageImportException($"{what}: larger than {MaxDocumentBytes} bytes");
        }

        return File.ReadAllBytes(path);
    }

    public static JsonElement Parse(byte[] json, string what)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            return document.RootElement.ValueKind == JsonValueKind.Object
                ? document.RootElement.Clone()
                : throw new ImageImportException($"{what}: not a JSON object");
        }
        catch (JsonException ex)
        {
            throw new ImageImportException($"{what}: not valid JSON: {ex.Message}", ex);
        }
    }

    public static string? String(JsonElement element, string property) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;

    public static JsonElement[] Array(JsonElement element, string property) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.Array
            ? [.. value.EnumerateArray()]
            : [];

    public static IReadOnlyList<string> Strings(JsonElement element, string property, string what) =>
        [.. Array(element, property).Select(e => e.ValueKind == JsonValueKind.String ? e.GetString()! : throw new ImageImportException($"{what}: {property} holds a non-string"))];
}
