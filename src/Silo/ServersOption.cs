using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace FleetPods.Silo;

/// <summary>Parses <c>--servers HOST:PORT[,HOST:PORT…]</c>: the gateways of the servers an agent attaches through.</summary>
public static class ServersOption
{
    /// <param name="resolve">Resolves a host name to its addresses (DNS in the daemon).</param>
    /// <exception cref="FormatException">An entry is no HOST:PORT, its port no port, or its host resolves to no address; the message names it.</exception>
    public static IReadOnlyList<IPEndPoint> Parse(string text, Func<string, IPAddress[]> resolve)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(resolve);
        var entries = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (entries.Length == 0)
        {
            throw new FormatException("--servers names no server; give the servers' gateways as HOST:PORT[,HOST:PORT…]");
        }

        var endpoints = new List<IPEndPoint>();
        foreach (var entry in entries)
        {
            var colon = entry.LastIndexOf(':');
            if (colon <= 0 || colon == entry.Length - 1)
            {
                throw new FormatException($"--servers: '{entry}' is not HOST:PORT (a server's gateway, e.g. 10.0.0.1:30000)");
            }

            var host = entry[..colon].Trim('[', ']');
            if (!int.TryParse(entry[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
            {
                throw new FormatException($"--servers: '{entry}' has no port (1-65535) after its ':'");
            }

            var endpoint = new IPEndPoint(IPAddress.TryParse(host, out var address) ? address : Resolve(host, entry, resolve), port);
            if (!endpoints.Contains(endpoint))
            {
                endpoints.Add(endpoint);
            }
        }

        return endpoints;
    }

    private static IPAddress Resolve(string host, string entry, Func<string, IPAddress[]> resolve)
    {
        try
        {
            return resolve(host).OrderBy(a => a.AddressFamily == AddressFamily.InterNetwork ? 0 : 1).FirstOrDefault()
                ?? throw new FormatException($"--servers: '{entry}': host '{host}' has no address");
        }
        catch (SocketException ex)
        {
            throw new FormatException($"--servers: '{entry}': host '{host}' does not resolve ({ex.Message})", ex);
        }
        catch (ArgumentException ex)
        {
            throw new FormatException($"--servers: '{entry}': '{host}' is not a host name", ex);
        }
    }
}
