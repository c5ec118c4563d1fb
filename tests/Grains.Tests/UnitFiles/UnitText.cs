using FleetPods.Grains.UnitFiles;

namespace FleetPods.Grains.Tests.UnitFiles;

/// <summary>Builds unit texts and parses them with the assertions every test repeats.</summary>
internal static class UnitText
{
    public const string File = "web.pod";

    /// <summary>The line of the first extra line given to <see cref="Pod"/>.</summary>
    public const int FirstExtraLine = 4;

    /// <summary>A valid unit: [Pod] on line 1, Image= on 2, Exec= on 3, then <paramref name="extraLines"/>.</summary>
    public static string Pod(params string[] extraLines) =>
        "[Pod]\nImage=example.com/busybox:1.0\nExec=/bin/true\n" + string.Concat(extraLines.Select(l => l + "\n"));

    public static UnitFile Parse(string text, string file = File)
    {
        var result = UnitFileParser.Parse(file, text);
        Assert.True(result.Succeeded, string.Join("\n", result.Errors));
        Assert.Empty(result.Errors);
        return result.Unit!;
    }

    public static PodSection ParsePod(params string[] extraLines) => Parse(Pod(extraLines)).Pod;

    public static FleetSection ParseFleet(params string[] fleetLines) =>
        Parse(Pod() + "[X-Fleet]\n" + string.Concat(fleetLines.Select(l => l + "\n"))).Fleet;

    public static IReadOnlyList<UnitFileError> Errors(string text, string file = File)
    {
        var result = UnitFileParser.Parse(file, text);
        Assert.False(result.Succeeded);
        Assert.Null(result.Unit);
        Assert.NotEmpty(result.Errors);
        return result.Errors;
    }

    /// <summary>Asserts the text has exactly one error, at <paramref name="line"/> about <paramref name="key"/>, and returns it.</summary>
    public static UnitFileError SingleError(string text, int line, string key, string? messagePart = null, string file = File)
    {
        var errors = Errors(text, file);
        var error = Assert.Single(errors);
        AssertError(error, file, line, key, messagePart);
        return error;
    }

    /// <summary>The one error of a unit made by <see cref="Pod"/> with one bad extra line.</summary>
    public static UnitFileError PodLineError(string line, string key, string? messagePart = null) =>
        SingleError(Pod(line), FirstExtraLine, key, messagePart);

    public static void AssertError(UnitFileError error, string file, int line, string key, string? messagePart = null)
    {
        Assert.Equal((file, line, key), (error.File, error.Line, error.Key));
        if (messagePart is not null)
        {
            Assert.Contains(messagePart, error.Message, StringComparison.Ordinal);
        }
    }
}
