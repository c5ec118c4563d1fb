namespace FleetPods.Grains.UnitFiles;

/// <summary>
/// <c>Image=</c>: a name (<c>busybox</c>, <c>example.com/busybox:1.0</c>) or a content digest
/// (<c>sha512-…</c>, <c>sha256-…</c>). A digest may be cut short, as rkt prints and accepts image ids.
/// </summary>
internal static class ImageReference
{
    private static readonly (string Prefix, int HexLength)[] Digests = [("sha512-", 128), ("sha256-", 64)];

    public static string? FindProblem(string reference)
    {
        foreach (var (prefix, hexLength) in Digests)
        {
            if (!reference.StartsWith(prefix, StringComparison.Ordinal))
            {
                continue;
            }

            var hex = reference.AsSpan(prefix.Length);
            return hex.IsEmpty || hex.Length > hexLength || !IsLowerHex(hex)
                ? $"invalid digest '{ErrorText.Quote(reference)}' (expected {prefix} and up to {hexLength} lower-case hex digits)"
                : null;
        }

        foreach (var c in reference)
        {
            if (char.IsWhiteSpace(c))
            {
                return $"image name '{ErrorText.Quote(reference)}' must not contain whitespace";
            }

            if (char.IsControl(c))
            {
                return $"image name '{ErrorText.Quote(reference)}' contains {ErrorText.Describe(c)}";
            }
        }

        return null;
    }

    private static bool IsLowerHex(ReadOnlySpan<char> text)
    {
        foreach (var c in text)
        {
            if (!char.IsAsciiHexDigitLower(c))
            {
                return false;
            }
        }

        return true;
    }
}
