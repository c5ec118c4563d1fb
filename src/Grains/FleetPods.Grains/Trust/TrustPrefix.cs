namespace FleetPods.Grains.Trust;

/// <summary>
/// A trust prefix is an AppC identifier (what ACI names are): runs of lower-case letters and digits joined by single
/// <c>- . _ ~ /</c>, at most 255 characters, so it can only match names by whole characters rkt would have compared;
/// or empty, for every name. Its host may carry a port (<c>localhost:8443/app</c>), as a discovered name may.
/// </summary>
internal static class TrustPrefix
{
    public const string Rule = "an AppC name such as example.com/app: lower-case letters and digits joined by single '-', '.', '_', '~' or '/'";

    private const int MaxLength = 255;

    public static bool IsValid(string prefix)
    {
        if (prefix.Length == 0)
        {
            return true;
        }

        var slash = prefix.IndexOf('/', StringComparison.Ordinal);
        var host = slash < 0 ? prefix : prefix[..slash];
        if (host.IndexOf(':', StringComparison.Ordinal) is var colon and > 0)
        {
            if (!ushort.TryParse(host[(colon + 1)..], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var port) || port == 0)
            {
                return false;
            }

            prefix = host[..colon] + prefix[host.Length..];
        }

        if (prefix.Length > MaxLength || !IsWordCharacter(prefix[0]) || !IsWordCharacter(prefix[^1]))
        {
            return false;
        }

        for (var i = 1; i < prefix.Length; i++)
        {
            if (!IsWordCharacter(prefix[i]) && !(IsSeparator(prefix[i]) && IsWordCharacter(prefix[i - 1])))
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsWordCharacter(char c) => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c);

    private static bool IsSeparator(char c) => c is '-' or '.' or '_' or '~' or '/';
}
