using System.Net;
using System.Net.Sockets;

namespace FleetPods.Tests;

/// <summary>
/// TCP ports for the servers tests start (daemons, PostgreSQL, HTTP servers), each handed out once across every test
/// process on the machine. A port is taken below Linux's ephemeral range (<c>ip_local_port_range</c>, 32768–60999 by
/// default), because the kernel picks the local port of every outgoing connection and of every bind to port 0 from that
/// range: a port only found free there could be taken by any client's connection before the server binds it. A lock
/// file held for the test process's life keeps the test processes that run side by side from taking the same port.
/// </summary>
public static class TestPorts
{
    private const int First = 20000;
    private const int Count = 12000;

    private static readonly string LockDirectory = Path.Combine(Path.GetTempPath(), $"fleetpods-test-ports-{Environment.UserName}");
    private static readonly List<FileStream> Held = [];
    private static int next = Random.Shared.Next(Count);

    /// <summary>A port no other test process holds and nothing on this machine is bound to.</summary>
    public static int Reserve()
    {
        lock (Held)
        {
            Directory.CreateDirectory(LockDirectory);
            for (var tried = 0; tried < Count; tried++)
            {
                var port = First + (next++ % Count);
                var held = TryLock(port);
                if (held is null)
                {
                    continue;
                }

                if (IsBindable(port))
                {
                    Held.Add(held);
                    return port;
                }

                held.Dispose();
            }

            throw new InvalidOperationException($"no free TCP port between {First} and {First + Count - 1}");
        }
    }

    // FileShare.None takes an exclusive flock(2) on the file, released when this process ends however it ends.
    private static FileStream? TryLock(int port)
    {
        try
        {
            return new FileStream(Path.Combine(LockDirectory, $"{port}.lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException)
        {
            return null;
        }
    }

    private static bool IsBindable(int port)
    {
        try
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            socket.Bind(new IPEndPoint(IPAddress.Any, port));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
