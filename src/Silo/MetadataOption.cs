namespace FleetPods.Silo;

/// <summary>Parses <c>--metadata key=value,key=value</c>, as fleet's <c>--metadata</c> took it.</summary>
public static class MetadataOption
{
    public static IReadOnlyDictionary<string, string> Parse(string? text)
    {
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        if (string.IsNullOrWhiteSpace(text))
        {
            return metadata;
        }

        foreach (var pair in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                throw new FormatException($"--metadata: '{pair}' is not key=value");
            }

            var key = pair[..eq].Trim();
            if (!metadata.TryAdd(key, pair[(eq + 1)..].Trim()))
            {
                throw new FormatException($"--metadata: key '{key}' is given twice");
            }
        }

        return metadata;
    }
}
