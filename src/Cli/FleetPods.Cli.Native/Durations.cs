using System.CommandLine.Parsing;

namespace FleetPods.Cli.Native;

/// <summary>A duration flag (<c>--grace</c>, <c>--grace-period</c>), read by <see cref="DurationText"/>.</summary>
internal static class Durations
{
    public static TimeSpan Parse(ArgumentResult result)
    {
        var text = result.Tokens.Count == 1 ? result.Tokens[0].Value : "";
        if (DurationText.TryParse(text, out var value))
        {
            return value;
        }

        result.AddError($"'{text}' is not a duration (e.g. 10s, 500ms, 2m)");
        return default;
    }
}
