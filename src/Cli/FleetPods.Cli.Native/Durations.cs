using System.CommandLine.Parsing;
using System.Globalization;

namespace FleetPods.Cli.Native;

/// <summary>Durations as people type them: 10s, 500ms, 2m, 1h, or a bare number of seconds; and as the API takes them.</summary>
internal static class Durations
{
    public static TimeSpan Parse(ArgumentResult result)
    {
        var text = result.Tokens.Count == 1 ? result.Tokens[0].Value : "";
        if (TryParse(text, out var value))
        {
            return value;
        }

        result.AddError($"'{text}' is not a duration (e.g. 10s, 500ms, 2m)");
        return default;
    }

    public static bool TryParse(string text, out TimeSpan value)
    {
        (string Suffix, double Seconds)[] units = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600), ("", 1)];
        foreach (var (suffix, seconds) in units)
        {
            if (text.EndsWith(suffix, StringComparison.Ordinal)
                && double.TryParse(text.AsSpan(0, text.Length - suffix.Length), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var n)
                && n * seconds <= TimeSpan.FromDays(1).TotalSeconds)
            {
                value = TimeSpan.FromSeconds(n * seconds);
                return true;
            }
        }

        value = default;
        return false;
    }

    /// <summary>A query value the API reads back exactly: whole milliseconds, e.g. <c>10000ms</c>.</summary>
    public static string ToQuery(TimeSpan value) =>
        string.Create(CultureInfo.InvariantCulture, $"{(long)Math.Round(value.TotalMilliseconds)}ms");
}
