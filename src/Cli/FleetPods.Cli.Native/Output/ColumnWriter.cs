using System.Text;

namespace FleetPods.Cli.Native.Output;

/// <summary>
/// A borderless table as people read them in a terminal: upper-case headers, every column as wide as its widest
/// cell, two spaces between columns and none before the first (the look Spectre.Console's borderless tables gave;
/// Spectre itself is not trimming-safe). Cells are never wrapped, so a script's pipe gets whole lines.
/// </summary>
internal static class ColumnWriter
{
    public static string Render(IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<string>> rows)
    {
        List<IReadOnlyList<string>> lines = [[.. headers.Select(h => h.ToUpperInvariant())], .. rows];
        var widths = new int[headers.Count];
        foreach (var line in lines)
        {
            for (var i = 0; i < widths.Length; i++)
            {
                widths[i] = Math.Max(widths[i], Cell(line, i).Length);
            }
        }

        var text = new StringBuilder();
        foreach (var line in lines)
        {
            var row = string.Join("  ", widths.Select((width, i) => Cell(line, i).PadRight(width)));
            text.Append(row.TrimEnd()).Append('\n');
        }

        return text.ToString();
    }

    // A cell is one line: a newline in a reason or a description would break the row apart.
    private static string Cell(IReadOnlyList<string> line, int index) =>
        index < line.Count ? line[index].ReplaceLineEndings(" ") : "";
}
