using System.Diagnostics.CodeAnalysis;

namespace FleetPods.Grains.UnitFiles;

/// <summary>
/// The syntax of <c>[Pod]</c> values, for programs that take the same values another way (the flags of
/// <c>fleetpods run</c>), so a value means the same and is refused with the same words wherever it is given.
/// </summary>
public static class PodValueSyntax
{
    /// <summary><c>NAME,kind=host,source=/path[,readOnly=true]</c> or <c>NAME,kind=empty</c>.</summary>
    public static bool TryParseVolume(string text, [NotNullWhen(true)] out VolumeSpec? volume, [NotNullWhen(false)] out string? error) =>
        VolumeSyntax.TryParse(text, out volume, out error);

    /// <summary><c>volume=NAME,target=/path</c>.</summary>
    public static bool TryParseMount(string text, [NotNullWhen(true)] out MountSpec? mount, [NotNullWhen(false)] out string? error) =>
        MountSyntax.TryParse(text, out mount, out error);

    /// <summary><c>NAME:HOSTPORT[:PODPORT]/tcp|udp</c>.</summary>
    public static bool TryParsePort(string text, [NotNullWhen(true)] out PortSpec? port, [NotNullWhen(false)] out string? error) =>
        PortSyntax.TryParse(text, out port, out error);

    /// <summary>A size with <c>K M G T</c> or <c>Ki Mi Gi Ti</c> (base 1024).</summary>
    public static bool TryParseMemory(string text, out long bytes, [NotNullWhen(false)] out string? error) =>
        MemorySize.TryParse(text, out bytes, out error);

    /// <summary><c>500m</c>, <c>0.5</c> or <c>2</c>.</summary>
    public static bool TryParseCpu(string text, out int millis, [NotNullWhen(false)] out string? error) =>
        CpuQuantity.TryParse(text, out millis, out error);

    /// <summary>True when <paramref name="name"/> may name an app, a volume or a port: an AC name.</summary>
    public static bool IsValidName(string name) => AcName.IsValid(name);
}
