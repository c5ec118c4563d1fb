namespace FleetPods.Grains.UnitFiles;

/// <summary>Checks shared by the keys of all sections; each reports its own error and says whether the value passed.</summary>
internal sealed class ValueCheck(UnitFileErrorList errors)
{
    /// <summary>The value's specifiers are all known, so <see cref="UnitSpecifiers.Expand"/> can expand it later.</summary>
    public bool Specifiers(Assignment at, string value)
    {
        if (UnitSpecifiers.FindProblem(value) is { } problem)
        {
            errors.Add(at.Line, at.Key, problem);
            return false;
        }

        return true;
    }

    /// <summary>One word: names, ids and references are never meant to hold blanks.</summary>
    public bool SingleWord(Assignment at, string what)
    {
        if (at.Value.AsSpan().IndexOfAny(" \t") >= 0)
        {
            errors.Add(at.Line, at.Key, $"{what} '{ErrorText.Quote(at.Value)}' must not contain whitespace");
            return false;
        }

        return true;
    }

    /// <summary>The value split into words, quoted as systemd quotes them; null (with the error reported) when it is badly quoted.</summary>
    public string[]? Words(Assignment at)
    {
        if (QuotedWords.TrySplit(at.Value, out var words, out var error))
        {
            return words;
        }

        Fail(at, error);
        return null;
    }

    public void Fail(Assignment at, string message) => errors.Add(at.Line, at.Key, message);
}
