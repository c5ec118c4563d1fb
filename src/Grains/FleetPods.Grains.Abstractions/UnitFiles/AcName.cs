namespace FleetPods.Grains.UnitFiles;

/// <summary>
/// Volume and port names follow rkt's AC Name: lower-case letters and digits in runs joined by
/// single dashes (<c>data</c>, <c>http-alt</c>), so they can name the same things in rkt's manifests.
/// </summary>
internal static class AcName
{
    public const string Rule = "lower-case letters, digits and inner single dashes, e.g. data-1";

    public static bool IsValid(string text)
    {
        if (text.Length == 0 || text[0] == '-' || text[^1] == '-')
        {
            return false;
        }

        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            var allowed = char.IsAsciiDigit(c) || char.IsAsciiLetterLower(c) || (c == '-' && text[i - 1] != '-');
            if (!allowed)
            {
                return false;
            }
        }

        return true;
    }
}
