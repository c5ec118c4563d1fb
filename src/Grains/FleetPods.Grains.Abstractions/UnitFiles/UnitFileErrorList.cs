using System.Globalization;

namespace FleetPods.Grains.UnitFiles;

/// <summary>
/// Collects every error of one file. A hostile file can hold hundreds of thousands of bad lines, so
/// beyond <see cref="MaxKept"/> errors only their number is kept: the first ones are what a person fixes.
/// </summary>
internal sealed class UnitFileErrorList(string file)
{
    public const int MaxKept = 100;

    private readonly List<UnitFileError> kept = [];
    private int dropped;

    public bool IsEmpty => kept.Count == 0;

    public void Add(int line, string key, string message)
    {
        if (kept.Count < MaxKept)
        {
            kept.Add(new UnitFileError(file, line, key, message));
        }
        else
        {
            dropped++;
        }
    }

    public UnitFileError[] ToArray() =>
        dropped == 0
            ? [.. kept]
            : [.. kept, new UnitFileError(file, 0, "", string.Create(CultureInfo.InvariantCulture, $"{dropped} more errors not shown"))];
}
