using FleetPods.Silo.FrontDoor;

namespace FleetPods.Silo.Api;

/// <summary>Yes-or-no query values (<c>force=true</c>): absent is no; anything but true or false is refused, naming the parameter.</summary>
public static class QueryFlags
{
    /// <exception cref="BadRequestException">The value is neither true nor false.</exception>
    public static bool Parse(string parameter, string? text) => text switch
    {
        null => false,
        _ when bool.TryParse(text, out var value) => value,
        _ => throw new BadRequestException($"{parameter}='{text}' is neither true nor false"),
    };
}
