using System.Net;
using System.Net.Sockets;

namespace FleetPods.EndToEnd.Tests;

/// <summary>
/// A loopback port nothing answers on (a connection is refused), held bound but not listening for as long as the test
/// needs it: a port only found free can be taken meanwhile by a daemon of a test running beside it, which answers.
/// </summary>
public sealed class ClosedPort : IDisposable
{
    private readonly Socket socket = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);

    public ClosedPort()
    {
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        Port = ((IPEndPoint)socket.LocalEndPoint!).Port;
    }

    public int Port { get; }

    public void Dispose() => socket.Dispose();
}
