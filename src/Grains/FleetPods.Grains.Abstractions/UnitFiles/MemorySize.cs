using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace FleetPods.Grains.UnitFiles;

/// <summary>
/// <c>Memory=</c> values: a number, optionally with a fraction, then an optional suffix K, M, G or T
/// (also written Ki, Mi, Gi, Ti), all powers of 1024 as systemd's <c>MemoryMax=</c>; no suffix means
/// bytes. Suffixes are upper case only: a lower-case <c>m</c> reads as "milli" to Kubernetes users
/// and as "mebi" to systemd users, so it is refused rather than guessed.
/// </summary>
internal static class MemorySize
{
    private const string Expected = "expected e.g. 256M";

    // Longer than any byte count a long holds, written out in full with a fraction.
    private const int MaxNumberLength = 32;

    private static readonly (string Suffix, int Power)[] Suffixes =
        [("Ki", 1), ("Mi", 2), ("Gi", 3), ("Ti", 4), ("K", 1), ("M", 2), ("G", 3), ("T", 4)];

    public static bool TryParse(string text, out long bytes, [NotNullWhen(false)] out string? error)
    {
        bytes = 0;
        var (number, power) = SplitSuffix(text);
        if (number.Length is 0 or > MaxNumberLength
            || !char.IsAsciiDigit(number[0])
            || !decimal.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value))
        {
            error = $"invalid size '{ErrorText.Quote(text)}' ({Expected}{LowerCaseHint(text)})";
            return false;
        }

        var scaled = value;
        for (var i = 0; i < power; i++)
        {
            if (scaled > long.MaxValue / 1024m)
            {
                error = $"size '{ErrorText.Quote(text)}' is too large";
                return false;
            }

            scaled *= 1024;
        }

        // Fractions of a byte mean nothing to a memory limit: round down.
        scaled = decimal.Floor(scaled);
        if (scaled < 1)
        {
            error = $"size '{ErrorText.Quote(text)}' must be at least one byte ({Expected}; leave Memory= out for no limit)";
            return false;
        }

        if (scaled > long.MaxValue)
        {
            error = $"size '{ErrorText.Quote(text)}' is too large";
            return false;
        }

        bytes = (long)scaled;
        error = null;
        return true;
    }

    private static (string Number, int Power) SplitSuffix(string text)
    {
        foreach (var (suffix, power) in Suffixes)
        {
            if (text.EndsWith(suffix, StringComparison.Ordinal))
            {
                return (text[..^suffix.Length], power);
            }
        }

        return (text, 0);
    }

    private static string LowerCaseHint(string text) =>
        text.Length > 0 && text[^1] is 'k' or 'm' or 'g' or 't' or 'i'
            ? "; suffixes K, M, G, T are upper case and powers of 1024"
            : "";
}
