using System.Net.Sockets;

namespace FleetPods.Silo.FrontDoor;

/// <summary>The API's Unix socket, <c>/run/fleetpods/api-PORT.sock</c>: anyone may connect (0666), as peer credentials say who they are.</summary>
public static class ApiSocket
{
    public const UnixFileMode Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite
        | UnixFileMode.OtherRead | UnixFileMode.OtherWrite;

    public static string PathFor(int apiPort, string directory = RuntimeDirectory.Path) => Path.Combine(directory, $"api-{apiPort}.sock");

    /// <summary>
    /// Removes what a killed daemon left at <paramref name="path"/>; refuses to take over a socket a live daemon
    /// still serves. Only root can write in the directory (<see cref="RuntimeDirectory"/>), so what is there is a
    /// daemon's.
    /// </summary>
    /// <exception cref="IOException">Another fleetpodsd answers on it.</exception>
    public static void ClearStale(string path)
    {
        var info = new FileInfo(path);
        if (!info.Exists && info.LinkTarget is null)
        {
            return;
        }

        using var probe = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            probe.Connect(new UnixDomainSocketEndPoint(path));
        }
        catch (SocketException)
        {
            // Nobody listens: the socket of a daemon that was killed.
            File.Delete(path);
            return;
        }

        throw new IOException($"another fleetpodsd serves {path}; stop it or choose another --api-port");
    }
}
