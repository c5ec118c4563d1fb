using System.Diagnostics.CodeAnalysis;

namespace FleetPods.Grains.UnitFiles;

/// <summary><c>Mount=volume=NAME,target=/abs/path</c>, as rkt's <c>--mount</c>; <see cref="PodValidator"/> checks the target and the volume.</summary>
internal static class MountSyntax
{
    private const string Expected = "expected volume=NAME,target=/path";
    private static readonly string[] Options = ["volume", "target"];

    public static bool TryParse(string text, [NotNullWhen(true)] out MountSpec? mount, [NotNullWhen(false)] out string? error)
    {
        mount = null;
        if (!OptionList.TryParse(text.Split(','), Options, out var options, out error))
        {
            error = $"{error}; {Expected}";
            return false;
        }

        if (!options.TryGetValue("volume", out var volume) || volume.Length == 0)
        {
            error = $"mount has no volume= ({Expected})";
            return false;
        }

        if (!options.TryGetValue("target", out var target) || target.Length == 0)
        {
            error = $"mount of volume '{ErrorText.Quote(volume)}' has no target= ({Expected})";
            return false;
        }

        mount = new MountSpec(volume, target);
        return true;
    }
}
