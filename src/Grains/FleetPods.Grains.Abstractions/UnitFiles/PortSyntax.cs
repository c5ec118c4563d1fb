using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace FleetPods.Grains.UnitFiles;

/// <summary><c>Port=NAME:HOSTPORT[:PODPORT]/tcp|udp</c>; the pod port defaults to the host port. <see cref="PodValidator"/> checks the name and the ranges.</summary>
internal static class PortSyntax
{
    private const string Expected = "expected NAME:HOSTPORT[:PODPORT]/tcp or /udp, e.g. http:8080:80/tcp";
    private static readonly ValueChoice<PortProtocol> Protocols = new(("tcp", PortProtocol.Tcp), ("udp", PortProtocol.Udp));

    public static bool TryParse(string text, [NotNullWhen(true)] out PortSpec? port, [NotNullWhen(false)] out string? error)
    {
        port = null;
        var slash = text.LastIndexOf('/');
        if (slash < 0)
        {
            error = $"port '{ErrorText.Quote(text)}' has no protocol ({Expected})";
            return false;
        }

        if (!Protocols.TryParse(text[(slash + 1)..], out var protocol, out error))
        {
            error = $"port protocol: {error}";
            return false;
        }

        var parts = text[..slash].Split(':');
        if (parts.Length is not (2 or 3))
        {
            error = $"invalid port '{ErrorText.Quote(text)}' ({Expected})";
            return false;
        }

        var name = parts[0];
        if (!TryParseNumber(parts[1], out var hostPort, out error) || !TryParseNumber(parts[^1], out var podPort, out error))
        {
            error = $"port '{ErrorText.Quote(name)}': {error}";
            return false;
        }

        port = new PortSpec(name, hostPort, podPort, protocol);
        return true;
    }

    private static bool TryParseNumber(string text, out int number, [NotNullWhen(false)] out string? error)
    {
        // Five digits hold every port; the cap keeps int parsing from overflowing on hostile input.
        if (text.Length is 0 or > 5 || !int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out number))
        {
            number = 0;
            error = $"invalid port number '{ErrorText.Quote(text)}' (expected 1 to 65535)";
            return false;
        }

        error = null;
        return true;
    }
}
