using System.Globalization;
using System.Text;

namespace FleetPods.Grains.UnitFiles;

/// <summary>
/// Puts user text into error messages safely: a hostile file may hold megabyte-long values or control
/// characters that would flood or garble a terminal.
/// </summary>
internal static class ErrorText
{
    private const int MaxQuoted = 80;

    public static string Quote(string text)
    {
        var builder = new StringBuilder(Math.Min(text.Length, MaxQuoted) + 1);
        foreach (var c in text.Length <= MaxQuoted ? text : text[..MaxQuoted])
        {
            if (char.IsControl(c))
            {
                builder.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:X4}");
            }
            else
            {
                builder.Append(c);
            }
        }

        return text.Length <= MaxQuoted ? builder.ToString() : builder.Append('…').ToString();
    }

    public static string Describe(char c) =>
        char.IsControl(c) || char.IsWhiteSpace(c)
            ? string.Create(CultureInfo.InvariantCulture, $"U+{(int)c:X4}")
            : $"'{c}'";
}
