using System.Globalization;

namespace FleetPods.Grains.ImageRegistries;

/// <summary>
/// A registry's host as an image reference names it and a pull secret is keyed by: a DNS name or IPv4 address,
/// lower-case, with an optional port. Docker Hub is <c>docker.io</c>.
/// </summary>
internal static class RegistryHost
{
    public static bool IsValid(string host)
    {
        var colon = host.LastIndexOf(':');
        var name = colon < 0 ? host : host[..colon];
        if (colon >= 0 && (!ushort.TryParse(host[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port == 0))
        {
            return false;
        }

        return name.Length is > 0 and <= 253 && name.Split('.').All(label =>
            label.Length is > 0 and <= 63 && label[0] != '-' && label[^1] != '-' && label.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-'));
    }

    /// <summary>The host of <c>docker://HOST[:PORT]/REPO…</c> (<c>docker.io</c> for a Docker Hub name), or null when the text is not such a reference.</summary>
    public static string? Of(string reference)
    {
        var rest = reference.StartsWith("docker://", StringComparison.Ordinal) ? reference["docker://".Length..]
            : reference.StartsWith("oci://", StringComparison.Ordinal) ? reference["oci://".Length..]
            : null;
        if (rest is null)
        {
            return null;
        }

        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        var first = slash < 0 ? rest : rest[..slash];
        return slash > 0 && (first.Contains('.', StringComparison.Ordinal) || first.Contains(':', StringComparison.Ordinal) || first == "localhost") ? first : "docker.io";
    }

    /// <summary>Whether the reference names a manifest digest (<c>@sha256:…</c>), so that it needs no pinning.</summary>
    public static bool IsPinned(string reference) => reference.Contains('@', StringComparison.Ordinal);
}
