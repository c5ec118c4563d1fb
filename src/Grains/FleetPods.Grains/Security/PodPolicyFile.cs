using System.Text.Json;

namespace FleetPods.Grains.Security;

/// <summary>
/// Reads the cluster's pod policy file (<c>--pod-policy</c>, default <see cref="DefaultPath"/>):
/// <c>{"hostVolumes": {"data": {"path": "/srv/data", "readOnly": true}}}</c>. A missing file is no exceptions; a bad
/// one is refused whole, with one line naming the file and the field, so a daemon never runs a policy it misread.
/// </summary>
public static class PodPolicyFile
{
    public const string DefaultPath = "/etc/fleetpods/pod-policy.json";

    private const int MaxBytes = 1 << 20;

    /// <exception cref="FormatException">The file cannot be read or is not a pod policy; the message names the file and the field.</exception>
    public static PodPolicy Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        string text;
        try
        {
            if (Directory.Exists(path))
            {
                throw new FormatException($"pod policy {path}: is a directory, not a JSON file");
            }

            if (!File.Exists(path))
            {
                return PodPolicy.None;
            }

            if (new FileInfo(path).Length > MaxBytes)
            {
                throw new FormatException($"pod policy {path}: larger than {MaxBytes} bytes");
            }

            text = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new FormatException($"pod policy {path}: {ex.Message}");
        }

        return Parse(path, text);
    }

    /// <exception cref="FormatException">Not a pod policy; the message names <paramref name="path"/> and the field.</exception>
    public static PodPolicy Parse(string path, string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(text, new JsonDocumentOptions { AllowTrailingCommas = false, CommentHandling = JsonCommentHandling.Skip });
        }
        catch (JsonException ex)
        {
            throw new FormatException($"pod policy {path}: not JSON (line {ex.LineNumber + 1}: {FirstSentence(ex.Message)})");
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw Bad(path, "(top level)", "must be an object like {\"hostVolumes\": {…}}");
            }

            var volumes = new Dictionary<string, HostVolumePolicy>(StringComparer.Ordinal);
            foreach (var property in root.EnumerateObject())
            {
                if (property.Name != "hostVolumes")
                {
                    throw Bad(path, property.Name, "is not a pod policy field (known: hostVolumes)");
                }

                if (property.Value.ValueKind != JsonValueKind.Object)
                {
                    throw Bad(path, "hostVolumes", "must be an object of named volumes");
                }

                foreach (var volume in property.Value.EnumerateObject())
                {
                    volumes[volume.Name] = HostVolume(path, volume);
                }
            }

            return new PodPolicy(volumes);
        }
    }

    private static HostVolumePolicy HostVolume(string file, JsonProperty volume)
    {
        var field = $"hostVolumes.{volume.Name}";
        if (volume.Name.Length is 0 or > 64 || !volume.Name.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '-' or '_'))
        {
            throw Bad(file, field, "a name is 1 to 64 characters of [a-z0-9_-]");
        }

        if (volume.Value.ValueKind != JsonValueKind.Object)
        {
            throw Bad(file, field, "must be an object like {\"path\": \"/srv/data\", \"readOnly\": true}");
        }

        string? path = null;
        var readOnly = false;
        foreach (var property in volume.Value.EnumerateObject())
        {
            switch (property.Name)
            {
                case "path" when property.Value.ValueKind == JsonValueKind.String:
                    path = property.Value.GetString()!;
                    break;
                case "path":
                    throw Bad(file, $"{field}.path", "must be a string");
                case "readOnly" when property.Value.ValueKind is JsonValueKind.True or JsonValueKind.False:
                    readOnly = property.Value.GetBoolean();
                    break;
                case "readOnly":
                    throw Bad(file, $"{field}.readOnly", "must be true or false");
                default:
                    throw Bad(file, $"{field}.{property.Name}", "is not a host volume field (known: path, readOnly)");
            }
        }

        if (path is null)
        {
            throw Bad(file, $"{field}.path", "is missing");
        }

        // Only clean paths: the policy names exactly the directory operators get, never a way out of it.
        var parts = path.Split('/');
        if (!path.StartsWith('/') || path == "/" || path.Contains('\0', StringComparison.Ordinal) || path.Contains('%', StringComparison.Ordinal)
            || parts.Skip(1).Any(p => p is "" or "." or ".."))
        {
            throw Bad(file, $"{field}.path", $"'{path}' is not an absolute path below / without '.', '..', '%', NUL or a trailing or double '/'");
        }

        return new HostVolumePolicy(path, readOnly);
    }

    private static FormatException Bad(string file, string field, string problem) => new($"pod policy {file}: {field} {problem}");

    private static string FirstSentence(string message) => message.Split(". ")[0].TrimEnd('.');
}
