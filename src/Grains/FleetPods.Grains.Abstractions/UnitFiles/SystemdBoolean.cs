using System.Diagnostics.CodeAnalysis;

namespace FleetPods.Grains.UnitFiles;

/// <summary>Booleans as systemd spells them, in any case: yes/no, true/false, on/off, 1/0.</summary>
internal static class SystemdBoolean
{
    public static bool TryParse(string text, out bool value, [NotNullWhen(false)] out string? error)
    {
        error = null;
        switch (text.ToUpperInvariant())
        {
            case "YES" or "TRUE" or "ON" or "1":
                value = true;
                return true;
            case "NO" or "FALSE" or "OFF" or "0":
                value = false;
                return true;
            default:
                value = false;
                error = $"invalid boolean '{ErrorText.Quote(text)}' (expected yes, no, true, false, on, off, 1 or 0)";
                return false;
        }
    }
}
