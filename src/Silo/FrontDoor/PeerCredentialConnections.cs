using System.Net.Sockets;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.Extensions.Logging;

namespace FleetPods.Silo.FrontDoor;

/// <summary>
/// Kestrel connection middleware of the Unix socket listener: asks the kernel who connected (<see cref="PeerCredentials"/>)
/// once per connection, before any request on it is read, and keeps the answer in the connection's items where
/// <see cref="CallerItems"/> finds it for each request.
/// </summary>
public sealed class PeerCredentialConnections(UnixCallers callers, ILogger<PeerCredentialConnections> logger)
{
    public ConnectionDelegate Wrap(ConnectionDelegate next) => async connection =>
    {
        if (connection.Features.Get<IConnectionSocketFeature>()?.Socket is not { } socket)
        {
            logger.LogWarning("API connection {Connection} has no socket to read peer credentials from; closed", connection.ConnectionId);
            return;
        }

        try
        {
            CallerItems.Set(connection.Items, callers.Identify(PeerCredentials.Of(socket)));
        }
        catch (Exception ex) when (ex is SocketException or IOException)
        {
            logger.LogWarning("API connection {Connection}: cannot read its peer credentials ({Error}); closed", connection.ConnectionId, ex.Message);
            return;
        }

        await next(connection);
    };
}
