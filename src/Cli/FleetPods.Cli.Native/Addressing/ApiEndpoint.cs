using System.Globalization;
using System.Net;

namespace FleetPods.Cli.Native.Addressing;

/// <summary>
/// One <c>--endpoint HOST:PORT</c>: a fleetpodsd API port, on this machine or another; <c>https://HOST:PORT</c> asks
/// for HTTPS even to this machine's daemon (whose socket would otherwise be used), to present a certificate.
/// </summary>
internal sealed record ApiEndpoint(string Host, int Port, bool HttpsOnly = false)
{
    private const string HttpsScheme = "https://";

    /// <summary>Where every fleetpodsd of this machine serves its API to local callers, one socket per API port.</summary>
    public const string SocketDirectory = "/run/fleetpods";

    /// <exception cref="CliException">Not HOST:PORT.</exception>
    public static ApiEndpoint Parse(string text)
    {
        if (text.StartsWith(HttpsScheme, StringComparison.Ordinal))
        {
            return Parse(text[HttpsScheme.Length..]) with { HttpsOnly = true };
        }

        var colon = text.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(text.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
        {
            throw new CliException($"--endpoint '{text}' is not HOST:PORT");
        }

        var host = text[..colon];
        if (host.StartsWith('[') && host.EndsWith(']'))
        {
            host = host[1..^1];
        }

        return host.Length == 0 ? throw new CliException($"--endpoint '{text}' is not HOST:PORT") : new ApiEndpoint(host, port);
    }

    /// <summary>True for <c>localhost</c> and loopback addresses: this machine's own daemon, reachable over its socket.</summary>
    public bool IsLoopback => Host == "localhost" || (IPAddress.TryParse(Host, out var address) && IPAddress.IsLoopback(address));

    public string SocketPath(string directory) => Path.Combine(directory, $"api-{Port.ToString(CultureInfo.InvariantCulture)}.sock");

    /// <summary>As an HTTPS URL's authority wants it (an IPv6 address in brackets).</summary>
    public string Authority => Host.Contains(':', StringComparison.Ordinal) ? $"[{Host}]:{Port}" : $"{Host}:{Port}";

    public override string ToString() => HttpsOnly ? HttpsScheme + Authority : Authority;
}
