using System.Net;
using System.Net.Sockets;

namespace FleetPods.Cli.Native.Addressing;

/// <summary>
/// One TCP connect, judged by the kernel: begun without blocking, then answered by <c>poll()</c>, whose time is kept by
/// the kernel and which reports a connection made while this process waited for a CPU. A timer and an async connect
/// race instead on a busy machine: a process that gets no thread for a second saw a live daemon's port time out.
/// </summary>
internal sealed class TcpConnectProbe : IDisposable
{
    private readonly Socket socket;
    private readonly bool refused;

    private TcpConnectProbe(Socket socket, bool refused)
    {
        this.socket = socket;
        this.refused = refused;
    }

    public static TcpConnectProbe Begin(IPEndPoint target)
    {
        var socket = new Socket(target.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { Blocking = false };
        try
        {
            socket.Connect(target);
            return new TcpConnectProbe(socket, refused: false);
        }
        catch (SocketException ex) when (ex.SocketErrorCode is SocketError.WouldBlock or SocketError.InProgress)
        {
            return new TcpConnectProbe(socket, refused: false);
        }
        catch (SocketException)
        {
            return new TcpConnectProbe(socket, refused: true);
        }
    }

    /// <summary>Whether the connection was made, waiting at most <paramref name="wait"/> (blocking) for it.</summary>
    public bool Answered(TimeSpan wait) =>
        !refused
        && socket.Poll(wait, SelectMode.SelectWrite)
        && socket.GetSocketOption(SocketOptionLevel.Socket, SocketOptionName.Error) is 0;

    public void Dispose() => socket.Dispose();
}
