namespace FleetPods.Grains.Trust;

/// <summary>
/// A trust prefix is an AppC identifier (what ACI names are): runs of lower-case letters and digits joined by single
/// <c>- . _ ~ /</c>, at most 255 characters, so it can only match names by whole characters rkt would have compared;
/// or empty, for every name.
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
