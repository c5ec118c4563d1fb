using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace FleetPods.Grains.UnitFiles;

/// <summary>
/// Splits a value into words as systemd documents it for <c>ExecStart=</c> and <c>Environment=</c>:
/// words are separated by whitespace; a word may be wrapped whole in "double" or 'single' quotes;
/// the backslash escapes <c>\\ \" \' \n \t \s</c> work inside and outside quotes.
/// </summary>
/// <remarks>
/// systemd allows a quote only at the start of a word, with the closing quote followed by whitespace
/// or the end. A quote in the middle of a word is refused rather than taken literally: in
/// <c>--opt="a b"</c> a literal reading would silently make two arguments, which nobody means.
/// </remarks>
internal static class QuotedWords
{
    public static bool TrySplit(string text, out string[] words, [NotNullWhen(false)] out string? error)
    {
        var found = new List<string>();
        var word = new StringBuilder();
        words = [];
        var i = 0;
        while (true)
        {
            while (i < text.Length && IsWhitespace(text[i]))
            {
                i++;
            }

            if (i == text.Length)
            {
                break;
            }

            word.Clear();
            error = text[i] is '"' or '\''
                ? ReadQuoted(text, ref i, word)
                : ReadUnquoted(text, ref i, word);
            if (error is not null)
            {
                return false;
            }

            found.Add(word.ToString());
        }

        words = [.. found];
        error = null;
        return true;
    }

    private static string? ReadQuoted(string text, ref int i, StringBuilder word)
    {
        var quote = text[i];
        i++;
        while (true)
        {
            if (i == text.Length)
            {
                return $"unterminated quote: a word that opens a {quote} quote must close it";
            }

            var c = text[i];
            if (c == quote)
            {
                i++;
                break;
            }

            if (c == '\\')
            {
                if (Unescape(text, ref i, word) is { } escapeError)
                {
                    return escapeError;
                }

                continue;
            }

            word.Append(c);
            i++;
        }

        return i < text.Length && !IsWhitespace(text[i])
            ? $"text right after a closing {quote}: a quoted word must end at its closing quote (quote the whole word)"
            : null;
    }

    private static string? ReadUnquoted(string text, ref int i, StringBuilder word)
    {
        while (i < text.Length && !IsWhitespace(text[i]))
        {
            var c = text[i];
            if (c is '"' or '\'')
            {
                return $"{c} in the middle of a word: quote the whole word (e.g. \"--opt=a b\") or escape it as \\{c}";
            }

            if (c == '\\')
            {
                if (Unescape(text, ref i, word) is { } escapeError)
                {
                    return escapeError;
                }

                continue;
            }

            word.Append(c);
            i++;
        }

        return null;
    }

    // i is at the backslash; on success it is moved past the escape.
    private static string? Unescape(string text, ref int i, StringBuilder word)
    {
        if (i + 1 == text.Length)
        {
            return "backslash at the end of the value escapes nothing (write \\\\ for a backslash)";
        }

        char? unescaped = text[i + 1] switch
        {
            '\\' => '\\',
            '"' => '"',
            '\'' => '\'',
            'n' => '\n',
            't' => '\t',
            's' => ' ',
            _ => null,
        };
        if (unescaped is null)
        {
            return $"unknown escape \\{ErrorText.Quote(text[i + 1].ToString())} (known: \\\\ \\\" \\' \\n \\t \\s)";
        }

        word.Append(unescaped.Value);
        i += 2;
        return null;
    }

    private static bool IsWhitespace(char c) => c is ' ' or '\t' or '\r' or '\n';
}
