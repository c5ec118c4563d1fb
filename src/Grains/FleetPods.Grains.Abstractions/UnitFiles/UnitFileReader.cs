using System.Text;

namespace FleetPods.Grains.UnitFiles;

/// <summary>
/// Splits unit-file text into section headers and assignments the way systemd reads its INI files:
/// lines are trimmed; <c>#</c> and <c>;</c> start comments; a line ending in an odd number of
/// backslashes continues on the next one (the backslash becomes a space, comment lines in between are
/// skipped, a blank line ends it). Single pass, no regular expressions.
/// </summary>
internal static class UnitFileReader
{
    /// <summary>systemd's whitespace: what it strips around lines, keys and values.</summary>
    private static ReadOnlySpan<char> Whitespace => " \t\r\n";

    public static List<UnitFileStatement> Read(string text, UnitFileErrorList errors)
    {
        var statements = new List<UnitFileStatement>();
        StringBuilder? continued = null;
        var continuedFrom = 0;
        var lineNumber = 0;
        var start = 0;
        while (start <= text.Length)
        {
            var end = text.IndexOf('\n', start);
            if (end < 0)
            {
                end = text.Length;
            }

            lineNumber++;
            var line = text.AsSpan(start, end - start).Trim(Whitespace);
            start = end + 1;

            if (continued is not null && IsComment(line))
            {
                continue;
            }

            if (continued is null && (line.IsEmpty || IsComment(line)))
            {
                continue;
            }

            if (EndsInContinuation(line))
            {
                if (continued is null)
                {
                    continued = new StringBuilder();
                    continuedFrom = lineNumber;
                }

                continued.Append(line[..^1]).Append(' ');
                continue;
            }

            if (continued is null)
            {
                Add(statements, errors, lineNumber, line.ToString());
            }
            else
            {
                Add(statements, errors, continuedFrom, continued.Append(line).ToString());
                continued = null;
            }
        }

        if (continued is not null)
        {
            Add(statements, errors, continuedFrom, continued.ToString());
        }

        return statements;
    }

    private static bool IsComment(ReadOnlySpan<char> line) => line.Length > 0 && line[0] is '#' or ';';

    // An even run of trailing backslashes is escaped backslashes (a value ending in \\ means one \), not a continuation.
    private static bool EndsInContinuation(ReadOnlySpan<char> line)
    {
        var backslashes = line.Length - line.TrimEnd('\\').Length;
        return backslashes % 2 == 1;
    }

    private static void Add(List<UnitFileStatement> statements, UnitFileErrorList errors, int line, string text)
    {
        text = text.AsSpan().Trim(Whitespace).ToString();
        if (text.Length == 0)
        {
            return;
        }

        if (text[0] == '[')
        {
            if (text.Length < 3 || text[^1] != ']' || text.AsSpan(1, text.Length - 2).IndexOfAny('[', ']') >= 0)
            {
                errors.Add(line, "", $"invalid section header '{ErrorText.Quote(text)}' (expected e.g. [Pod])");
                return;
            }

            statements.Add(new SectionHeader(line, text[1..^1]));
            return;
        }

        var equals = text.IndexOf('=', StringComparison.Ordinal);
        if (FindControlCharacter(text) is { } control)
        {
            var controlKey = equals < 0 ? "" : text.AsSpan(0, equals).Trim(Whitespace).ToString();
            errors.Add(line, controlKey, $"control character {ErrorText.Describe(control)} in '{ErrorText.Quote(text)}' (write \\n, \\t or \\s in quoted values instead)");
            return;
        }

        if (equals < 0)
        {
            errors.Add(line, "", $"expected Key=Value or a [Section] header, got '{ErrorText.Quote(text)}'");
            return;
        }

        var key = text.AsSpan(0, equals).Trim(Whitespace).ToString();
        if (key.Length == 0)
        {
            errors.Add(line, "", $"assignment without a key: '{ErrorText.Quote(text)}'");
            return;
        }

        statements.Add(new Assignment(line, key, text.AsSpan(equals + 1).Trim(Whitespace).ToString()));
    }

    // Tabs are blanks in INI files; any other control character in a text file is a mistake or an attack on the terminal.
    private static char? FindControlCharacter(string text)
    {
        foreach (var c in text)
        {
            if (char.IsControl(c) && c != '\t')
            {
                return c;
            }
        }

        return null;
    }
}
