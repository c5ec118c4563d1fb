using System.Diagnostics.CodeAnalysis;

namespace FleetPods.Grains.UnitFiles;

/// <summary>rkt's comma-separated <c>key=value</c> options, as in <c>kind=host,source=/srv</c>: each key at most once, from a known set.</summary>
internal static class OptionList
{
    public static bool TryParse(
        IEnumerable<string> parts,
        string[] known,
        [NotNullWhen(true)] out Dictionary<string, string>? options,
        [NotNullWhen(false)] out string? error)
    {
        options = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var part in parts)
        {
            var equals = part.IndexOf('=', StringComparison.Ordinal);
            var key = equals < 0 ? part : part[..equals];
            if (!known.Contains(key, StringComparer.Ordinal))
            {
                options = null;
                error = $"unknown option '{ErrorText.Quote(key)}' (expected {string.Join(", ", known)})";
                return false;
            }

            if (equals < 0)
            {
                options = null;
                error = $"option '{key}' has no value (write {key}=…)";
                return false;
            }

            if (!options.TryAdd(key, part[(equals + 1)..]))
            {
                options = null;
                error = $"option '{key}' is given twice";
                return false;
            }
        }

        error = null;
        return true;
    }
}
