using System.Diagnostics.CodeAnalysis;

namespace FleetPods.Grains.UnitFiles;

/// <summary>A key whose value is one of a few lower-case words (as systemd, case-sensitive), each meaning an enum member.</summary>
internal sealed class ValueChoice<T>(params (string Word, T Value)[] choices)
    where T : struct, Enum
{
    public bool TryParse(string text, out T value, [NotNullWhen(false)] out string? error)
    {
        foreach (var (word, choice) in choices)
        {
            if (text == word)
            {
                value = choice;
                error = null;
                return true;
            }
        }

        value = default;
        error = $"invalid value '{ErrorText.Quote(text)}' (expected one of: {string.Join(", ", choices.Select(c => c.Word))})";
        return false;
    }
}
