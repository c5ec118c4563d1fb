using FleetPods.Cli;
using FleetPods.Silo.FrontDoor;

namespace FleetPods.Silo.Api;

/// <summary>A duration in a query (<c>grace</c>, <c>gracePeriod</c>), read by <see cref="DurationText"/>.</summary>
public static class Durations
{
    /// <exception cref="BadRequestException">The value is not a duration; the message names the parameter.</exception>
    public static TimeSpan Parse(string parameter, string? text, TimeSpan fallback)
    {
        if (text is null)
        {
            return fallback;
        }

        return DurationText.TryParse(text, out var value) ? value : throw new BadRequestException($"{parameter}='{text}' is not a duration (e.g. 10s, 500ms, 2m)");
    }
}
