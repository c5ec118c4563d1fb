using System.Globalization;
using FleetPods.Silo.FrontDoor;

namespace FleetPods.Silo.Api;

/// <summary>Durations in a query as people type them: 10s, 500ms, 2m, 1h, or a bare number of seconds; at most a day.</summary>
public static class Durations
{
    /// <exception cref="BadRequestException">The value is not a duration; the message names the parameter.</exception>
    public static TimeSpan Parse(string parameter, string? text, TimeSpan fallback)
    {
        if (text is null)
        {
            return fallback;
        }

        return TryParse(text, out var value) ? value : throw new BadRequestException($"{parameter}='{text}' is not a duration (e.g. 10s, 500ms, 2m)");
    }

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
}
