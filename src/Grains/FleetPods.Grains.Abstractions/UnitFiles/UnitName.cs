namespace FleetPods.Grains.UnitFiles;

/// <summary>
/// A unit's name taken apart: <c>web.pod</c> is (<c>web</c>, null, false), the template <c>web@.pod</c> is
/// (<c>web</c>, "", true) and its instance <c>web@1.pod</c> is (<c>web</c>, <c>1</c>, false).
/// </summary>
/// <param name="Prefix">The part before the first <c>@</c> (or before <c>.pod</c> when there is none).</param>
/// <param name="Instance">The part between the first <c>@</c> and <c>.pod</c>: empty for a template, null for a plain unit.</param>
[GenerateSerializer, Immutable]
public sealed record UnitName(
    [property: Id(0)] string Prefix,
    [property: Id(1)] string? Instance,
    [property: Id(2)] bool IsTemplate)
{
    /// <summary>The extension every unit file has.</summary>
    public const string Suffix = ".pod";

    /// <summary>The longest name accepted, suffix included (as systemd's unit names).</summary>
    public const int MaxLength = 255;

    /// <summary>The name as written: <c>web@1.pod</c>.</summary>
    public string FullName => Instance is null ? Prefix + Suffix : $"{Prefix}@{Instance}{Suffix}";

    /// <summary>The template this prefix instantiates from: <c>web@.pod</c>.</summary>
    public string TemplateName => $"{Prefix}@{Suffix}";

    /// <summary>
    /// Reads a unit name: it ends in <c>.pod</c>, is at most 255 characters, and uses only
    /// <c>A-Z a-z 0-9 : _ . @ -</c>; a name with <c>@</c> has a non-empty prefix before it.
    /// </summary>
    public static bool TryParse(string text, out UnitName? name, out string? error)
    {
        ArgumentNullException.ThrowIfNull(text);
        name = null;
        error = Problem(text);
        if (error is not null)
        {
            return false;
        }

        var stem = text[..^Suffix.Length];
        var at = stem.IndexOf('@', StringComparison.Ordinal);
        name = at < 0
            ? new UnitName(stem, null, false)
            : new UnitName(stem[..at], stem[(at + 1)..], at == stem.Length - 1);
        return true;
    }

    private static string? Problem(string text)
    {
        if (!text.EndsWith(Suffix, StringComparison.Ordinal))
        {
            return $"unit name '{ErrorText.Quote(text)}' must end in {Suffix}";
        }

        if (text.Length > MaxLength)
        {
            return $"unit name '{ErrorText.Quote(text)}' is longer than {MaxLength} characters";
        }

        var stem = text.AsSpan(0, text.Length - Suffix.Length);
        if (stem.IsEmpty || stem[0] == '@')
        {
            return $"unit name '{text}' has no name before {(stem.IsEmpty ? Suffix : "'@'")}";
        }

        foreach (var c in stem)
        {
            if (!IsNameCharacter(c))
            {
                return $"unit name '{ErrorText.Quote(text)}' contains {ErrorText.Describe(c)} (allowed: letters, digits, ':', '_', '.', '@', '-')";
            }
        }

        return null;
    }

    private static bool IsNameCharacter(char c) => char.IsAsciiLetterOrDigit(c) || c is ':' or '_' or '.' or '@' or '-';
}
