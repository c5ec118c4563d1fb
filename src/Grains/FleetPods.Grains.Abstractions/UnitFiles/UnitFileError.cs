using System.Globalization;

namespace FleetPods.Grains.UnitFiles;

/// <summary>One problem found in a unit file.</summary>
/// <param name="File">The file as the user named it.</param>
/// <param name="Line">1-based line, or 0 for a problem with the file as a whole.</param>
/// <param name="Key">The key the problem is about (e.g. <c>Memory</c>), or empty when it concerns no key.</param>
[GenerateSerializer, Immutable]
public sealed record UnitFileError(
    [property: Id(0)] string File,
    [property: Id(1)] int Line,
    [property: Id(2)] string Key,
    [property: Id(3)] string Message)
{
    /// <summary>As compilers print it: <c>web.pod:7: Memory=: invalid size 'lots' (expected e.g. 256M)</c>.</summary>
    public override string ToString() =>
        Key.Length == 0
            ? string.Create(CultureInfo.InvariantCulture, $"{File}:{Line}: {Message}")
            : string.Create(CultureInfo.InvariantCulture, $"{File}:{Line}: {Key}=: {Message}");
}
