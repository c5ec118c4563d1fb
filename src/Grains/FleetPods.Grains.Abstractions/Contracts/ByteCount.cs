using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using FleetPods.Grains.UnitFiles;

namespace FleetPods.Grains;

/// <summary>Byte counts as people read them in reasons and tables (binary units, as Memory= takes them).</summary>
public static class ByteCount
{
    private static readonly string[] Units = ["B", "KiB", "MiB", "GiB", "TiB"];

    /// <summary>Reads a size as <c>Memory=</c> takes it (e.g. <c>16G</c>, <c>512M</c>); the error says what is wrong.</summary>
    public static bool TryParse(string text, out long bytes, [NotNullWhen(false)] out string? error) => MemorySize.TryParse(text, out bytes, out error);

    public static string Format(long bytes)
    {
        double value = bytes;
        var unit = 0;
        while (Math.Abs(value) >= 1024 && unit < Units.Length - 1)
        {
            value /= 1024;
            unit++;
        }

        return unit == 0
            ? string.Create(CultureInfo.InvariantCulture, $"{bytes} B")
            : string.Create(CultureInfo.InvariantCulture, $"{value:0.#} {Units[unit]}");
    }
}
