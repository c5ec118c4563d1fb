using System.Net;

namespace FleetPods.Cli.Native.Addressing;

/// <summary>How a command reaches the endpoint that answered: this machine's API socket, or HTTPS to an address.</summary>
internal abstract record ApiRoute(ApiEndpoint Endpoint)
{
    /// <summary>The local socket: the daemon knows the caller from its peer credentials; no certificate.</summary>
    public sealed record Socket(ApiEndpoint Endpoint, string Path) : ApiRoute(Endpoint)
    {
        // The endpoint as the caller gave it first: a socket left by a daemon that was killed names a port, not a file, they know.
        public override string ToString() => $"{Endpoint} ({Path})";
    }

    /// <summary>HTTPS to <paramref name="Address"/> (the endpoint's host, resolved once), with a client certificate.</summary>
    public sealed record Https(ApiEndpoint Endpoint, IPEndPoint Address) : ApiRoute(Endpoint)
    {
        public override string ToString() => Endpoint.ToString();
    }
}
