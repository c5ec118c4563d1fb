using System.Diagnostics.CodeAnalysis;

namespace FleetPods.Grains.UnitFiles;

/// <summary><c>Volume=NAME,kind=host,source=/abs/path[,readOnly=true]</c> or <c>Volume=NAME,kind=empty[,readOnly=true]</c>, as rkt's <c>--volume</c>.</summary>
internal static class VolumeSyntax
{
    private const string Expected = "expected NAME,kind=host,source=/path[,readOnly=true] or NAME,kind=empty";
    private static readonly string[] Options = ["kind", "source", "readOnly"];
    private static readonly ValueChoice<VolumeKind> Kinds = new(("host", VolumeKind.Host), ("empty", VolumeKind.Empty));

    public static bool TryParse(string text, [NotNullWhen(true)] out VolumeSpec? volume, [NotNullWhen(false)] out string? error)
    {
        volume = null;
        var parts = text.Split(',');
        var name = parts[0];
        if (name.Contains('=', StringComparison.Ordinal))
        {
            error = $"the volume's name must come first ({Expected})";
            return false;
        }

        if (!AcName.IsValid(name))
        {
            error = $"invalid volume name '{ErrorText.Quote(name)}' ({AcName.Rule})";
            return false;
        }

        if (!OptionList.TryParse(parts.Skip(1), Options, out var options, out error))
        {
            error = $"volume '{name}': {error}";
            return false;
        }

        if (!options.TryGetValue("kind", out var kindText))
        {
            error = $"volume '{name}' has no kind= ({Expected})";
            return false;
        }

        if (!Kinds.TryParse(kindText, out var kind, out error))
        {
            error = $"volume '{name}' kind=: {error}";
            return false;
        }

        var readOnly = false;
        if (options.TryGetValue("readOnly", out var readOnlyText) && !SystemdBoolean.TryParse(readOnlyText, out readOnly, out error))
        {
            error = $"volume '{name}' readOnly=: {error}";
            return false;
        }

        options.TryGetValue("source", out var source);
        error = (kind, source) switch
        {
            (VolumeKind.Host, null or "") => $"volume '{name}' of kind host needs source=/path",
            (VolumeKind.Host, _) when !source.StartsWith('/') => $"volume '{name}' source '{ErrorText.Quote(source)}' must be an absolute path",
            (VolumeKind.Empty, not null) => $"volume '{name}' of kind empty takes no source=",
            _ => null,
        };
        if (error is not null)
        {
            return false;
        }

        volume = new VolumeSpec(name, kind, source, readOnly);
        return true;
    }
}
