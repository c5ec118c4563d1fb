using System.Globalization;
using System.Text.RegularExpressions;
using FleetPods.NodeRuntime.Images;

namespace FleetPods.NodeRuntime.Registry;

/// <summary>
/// An image in a registry: <c>docker://HOST[:PORT]/REPO[:TAG|@DIGEST]</c>, <c>oci://</c> a synonym, read as docker
/// reads names: a first part without a dot or a colon (and not <c>localhost</c>) is a Docker Hub repository
/// (<c>docker://busybox</c> is <c>docker.io/library/busybox:latest</c>). Parsed here only; a bad reference is one
/// line naming what is wrong in it.
/// </summary>
internal sealed partial record RegistryReference(string Registry, string Repository, string? Tag, ContentDigest? Digest)
{
    public const string DockerHub = "docker.io";
    private const int MaxRepositoryLength = 255;
    private static readonly string[] Schemes = ["docker://", "oci://"];

    /// <summary>The host (and port) the registry is reached at: Docker Hub serves its API at registry-1.docker.io.</summary>
    public string Endpoint => Registry == DockerHub ? "registry-1.docker.io" : Registry;

    /// <summary>What the manifest is asked for by: the digest when there is one (it wins over a tag, as in docker).</summary>
    public string ManifestReference => Digest?.OciForm ?? Tag ?? "latest";

    /// <summary>The name the image is stored under: registry and repository.</summary>
    public string Name => $"{Registry}/{Repository}";

    public static bool IsRegistryReference(string text) => Schemes.Any(s => text.StartsWith(s, StringComparison.Ordinal));

    /// <summary>The reference, or null when <paramref name="text"/> is not one.</summary>
    public static RegistryReference? TryParse(string text)
    {
        try
        {
            return Parse(text);
        }
        catch (ImageImportException)
        {
            return null;
        }
    }

    /// <exception cref="ImageImportException">Not a reference, with what is wrong in it.</exception>
    public static RegistryReference Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var scheme = Schemes.FirstOrDefault(s => text.StartsWith(s, StringComparison.Ordinal))
            ?? throw Bad(text, "it does not start with docker:// or oci://");
        var rest = text[scheme.Length..];
        ContentDigest? digest = null;
        var at = rest.IndexOf('@', StringComparison.Ordinal);
        if (at >= 0)
        {
            var digestText = rest[(at + 1)..];
            if (!digestText.Contains(':', StringComparison.Ordinal) || !ContentDigest.TryParse(digestText, out var parsed))
            {
                throw Bad(text, $"'{digestText}' after '@' is not a digest (sha256:<64 lowercase hex digits>)");
            }

            digest = parsed;
            rest = rest[..at];
        }

        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        var first = slash < 0 ? rest : rest[..slash];
        string registry;
        string path;
        if (slash > 0 && (first.Contains('.', StringComparison.Ordinal) || first.Contains(':', StringComparison.Ordinal) || first == "localhost"))
        {
            registry = first;
            path = rest[(slash + 1)..];
            CheckHost(text, registry);
        }
        else
        {
            registry = DockerHub;
            path = slash < 0 ? "library/" + rest : rest;
        }

        string? tag = null;
        var colon = path.LastIndexOf(':');
        if (colon >= 0)
        {
            tag = path[(colon + 1)..];
            path = path[..colon];
            if (!TagPattern().IsMatch(tag))
            {
                throw Bad(text, $"the tag '{tag}' is not letters, digits, '_', '.' and '-' (at most 128, not starting with '.' or '-')");
            }
        }

        if (path.Length == 0)
        {
            throw Bad(text, "it names no repository (docker://HOST[:PORT]/REPO[:TAG|@DIGEST])");
        }

        if (path.Length > MaxRepositoryLength || !path.Split('/').All(c => ComponentPattern().IsMatch(c)))
        {
            throw Bad(text, $"the repository '{path}' is not lowercase letters and digits in parts separated by '/', with '.', '_', '__' or '-' between them");
        }

        return new RegistryReference(registry, path, digest is null ? tag ?? "latest" : tag, digest);
    }

    public override string ToString() => Name + (Tag is null ? "" : ":" + Tag) + (Digest is { } d ? "@" + d.OciForm : "");

    private static void CheckHost(string text, string registry)
    {
        var colon = registry.LastIndexOf(':');
        var host = colon >= 0 ? registry[..colon] : registry;
        if (colon >= 0 && !(int.TryParse(registry[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is > 0 and < 65536))
        {
            throw Bad(text, $"the port '{registry[(colon + 1)..]}' of registry '{registry}' is not a number from 1 to 65535");
        }

        if (!HostPattern().IsMatch(host))
        {
            throw Bad(text, $"'{host}' is not a host name or IPv4 address");
        }
    }

    private static ImageImportException Bad(string text, string why) => new($"'{text}' is not an image reference: {why}");

    // The distribution project's reference grammar (reference/regexp.go), for a path component and a tag.
    [GeneratedRegex("^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$")]
    private static partial Regex ComponentPattern();

    [GeneratedRegex("^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$")]
    private static partial Regex TagPattern();

    [GeneratedRegex("^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*$")]
    private static partial Regex HostPattern();
}
