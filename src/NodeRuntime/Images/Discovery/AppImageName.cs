namespace FleetPods.NodeRuntime.Images.Discovery;

/// <summary>
/// An image asked for by AppC name, as rkt took it: <c>NAME[:VERSION][,LABEL=VALUE…]</c>
/// (<c>example.com/app:1.0,os=linux</c>). The version defaults to <c>latest</c>, <c>os</c> to linux and <c>arch</c>
/// to amd64 (the only platform nodes run). The name is an AppC identifier; its host may carry a port
/// (<c>localhost:8443/app</c>) for a discovery server on another port than 443.
/// </summary>
internal sealed record AppImageName(string Name, IReadOnlyDictionary<string, string> Labels, IReadOnlySet<string> Given)
{
    private const int MaxLength = 512;

    /// <summary>Whether <paramref name="text"/> should be read as an AppC name rather than a URL: it has no http, https, file, docker or oci scheme.</summary>
    public static bool IsAppName(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return !(text.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || text.StartsWith("https://", StringComparison.OrdinalIgnoreCase)
            || text.StartsWith("file://", StringComparison.OrdinalIgnoreCase) || text.StartsWith("docker://", StringComparison.Ordinal)
            || text.StartsWith("oci://", StringComparison.Ordinal));
    }

    /// <exception cref="ImageImportException">Not an AppC name with labels; the message names what is wrong.</exception>
    public static AppImageName Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length is 0 or > MaxLength)
        {
            throw Bad(text, $"an image name is 1 to {MaxLength} characters");
        }

        var parts = text.Split(',');
        var (name, version) = SplitVersion(parts[0], text);
        if (!IsIdentifier(name, allowPort: true) || !name.Contains('/', StringComparison.Ordinal) && !name.Contains('.', StringComparison.Ordinal))
        {
            throw Bad(text, $"'{name}' is not an AppC name with a domain (lower-case letters and digits joined by single '-', '.', '_', '~' or '/', e.g. example.com/app)");
        }

        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        if (version is not null)
        {
            labels["version"] = version;
        }

        foreach (var part in parts.Skip(1))
        {
            var equals = part.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                throw Bad(text, $"'{part}' is not LABEL=VALUE");
            }

            var (key, value) = (part[..equals], part[(equals + 1)..]);
            if (!IsIdentifier(key, allowPort: false))
            {
                throw Bad(text, $"label '{key}' is not an AppC name");
            }

            if (!IsLabelValue(value))
            {
                throw Bad(text, $"label {key}'s value '{value}' must be letters, digits, '.', '_', '~', '+' or '-'");
            }

            if (!labels.TryAdd(key, value))
            {
                throw Bad(text, $"label '{key}' is given twice");
            }
        }

        var given = labels.Keys.ToHashSet(StringComparer.Ordinal);
        labels.TryAdd("version", "latest");
        labels.TryAdd("os", "linux");
        labels.TryAdd("arch", "amd64");
        return new AppImageName(name, labels, given);
    }

    public override string ToString() => Name + string.Concat(Labels.Where(l => Given.Contains(l.Key)).OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => $",{l.Key}={l.Value}"));

    // NAME:VERSION, where a colon in the host part followed by digits and a '/' is the host's port.
    private static (string Name, string? Version) SplitVersion(string text, string whole)
    {
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        var colon = text.IndexOf(':', slash < 0 ? 0 : slash);

        if (colon < 0)
        {
            return (text, null);
        }

        var version = text[(colon + 1)..];
        return version.Length > 0 && IsLabelValue(version) ? (text[..colon], version) : throw Bad(whole, $"version '{version}' must be letters, digits, '.', '_', '~', '+' or '-'");
    }

    /// <summary>An AppC identifier; with <paramref name="allowPort"/>, its first component may end in <c>:PORT</c>.</summary>
    internal static bool IsIdentifier(string text, bool allowPort)
    {
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        var host = slash < 0 ? text : text[..slash];
        if (allowPort && host.IndexOf(':', StringComparison.Ordinal) is var colon and > 0)
        {
            var port = host[(colon + 1)..];
            if (port.Length is 0 or > 5 || !port.All(char.IsAsciiDigit) || !ushort.TryParse(port, out var number) || number == 0)
            {
                return false;
            }

            text = host[..colon] + text[host.Length..];
        }

        if (text.Length == 0 || !IsWord(text[0]) || !IsWord(text[^1]))
        {
            return false;
        }

        for (var i = 1; i < text.Length; i++)
        {
            if (!IsWord(text[i]) && !(text[i] is '-' or '.' or '_' or '~' or '/' && IsWord(text[i - 1])))
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsWord(char c) => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c);

    private static bool IsLabelValue(string value) => value.Length is > 0 and <= 128 && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '~' or '+' or '-');

    private static ImageImportException Bad(string text, string why) => new($"'{text}': {why}");
}
