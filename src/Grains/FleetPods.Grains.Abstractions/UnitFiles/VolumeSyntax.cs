using System.Diagnostics.CodeAnalysis;

namespace FleetPods.Grains.UnitFiles;

/// <summary>
/// <c>Volume=NAME,kind=host,source=/abs/path[,readOnly=true]</c> or <c>Volume=NAME,kind=empty[,readOnly=true]</c>, as rkt's
/// <c>--volume</c>: read into a <see cref="VolumeSpec"/>, whose name and source <see cref="PodValidator"/> then checks.
/// </summary>
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

        if (!OptionList.TryParse(parts.Skip(1), Options, out var options, out error))
        {
            error = $"volume '{ErrorText.Quote(name)}': {error}";
            return false;
        }

        if (!options.TryGetValue("kind", out var kindText))
        {
            error = $"volume '{ErrorText.Quote(name)}' has no kind= ({Expected})";
            return false;
        }

        if (!Kinds.TryParse(kindText, out var kind, out error))
        {
            error = $"volume '{ErrorText.Quote(name)}' kind=: {error}";
            return false;
        }

        var readOnly = false;
        if (options.TryGetValue("readOnly", out var readOnlyText) && !SystemdBoolean.TryParse(readOnlyText, out readOnly, out error))
        {
            error = $"volume '{ErrorText.Quote(name)}' readOnly=: {error}";
            return false;
        }

        options.TryGetValue("source", out var source);
        volume = new VolumeSpec(name, kind, source, readOnly);
        return true;
    }
}
