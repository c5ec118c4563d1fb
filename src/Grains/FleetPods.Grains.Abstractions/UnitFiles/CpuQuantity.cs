using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace FleetPods.Grains.UnitFiles;

/// <summary>
/// <c>CPU=</c> values, as Kubernetes writes them: <c>500m</c> (thousandths of a CPU), <c>0.5</c> or
/// <c>2</c> (CPUs, at most three decimals since the unit of account is the milli-CPU).
/// </summary>
internal static class CpuQuantity
{
    private const int MaxNumberLength = 16;

    public static bool TryParse(string text, out int millis, [NotNullWhen(false)] out string? error)
    {
        millis = 0;
        var isMillis = text.EndsWith('m');
        var number = isMillis ? text[..^1] : text;
        var styles = isMillis ? NumberStyles.None : NumberStyles.AllowDecimalPoint;
        if (number.Length is 0 or > MaxNumberLength
            || !char.IsAsciiDigit(number[0])
            || !decimal.TryParse(number, styles, CultureInfo.InvariantCulture, out var value))
        {
            error = $"invalid CPU '{ErrorText.Quote(text)}' (expected e.g. 500m, 0.5 or 2)";
            return false;
        }

        var scaled = isMillis ? value : value * 1000;
        if (scaled != decimal.Floor(scaled))
        {
            error = $"CPU '{ErrorText.Quote(text)}' is finer than 1m (a thousandth of a CPU)";
            return false;
        }

        if (scaled < 1 || scaled > int.MaxValue)
        {
            error = $"CPU '{ErrorText.Quote(text)}' is out of range (1m to {int.MaxValue / 1000} CPUs; leave CPU= out for no limit)";
            return false;
        }

        millis = (int)scaled;
        error = null;
        return true;
    }
}
