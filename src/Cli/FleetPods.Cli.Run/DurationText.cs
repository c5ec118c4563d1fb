using System.Globalization;

namespace FleetPods.Cli;

/// <summary>
/// Durations as people type them (10s, 500ms, 2m, 1h, or a bare number of seconds; at most a day) and as the API's
/// queries carry them. One reader for the CLI's flags and the daemon's queries: this file is also compiled into the
/// native command, which references nothing of the daemon's.
/// </summary>
public static class DurationText
{
    public static bool TryParse(string text, out TimeSpan value)
    {
        ArgumentNullException.ThrowIfNull(text);
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

    /// <summary>A query value <see cref="TryParse"/> reads back exactly: whole milliseconds, e.g. <c>10000ms</c>.</summary>
    public static string ToQuery(TimeSpan value) =>
        string.Create(CultureInfo.InvariantCulture, $"{(long)Math.Round(value.TotalMilliseconds)}ms");
}
