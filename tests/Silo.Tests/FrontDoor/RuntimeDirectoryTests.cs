using System.Net.Sockets;
using FleetPods.Silo.FrontDoor;

namespace FleetPods.Silo.Tests.FrontDoor;

/// <summary>The sockets' directory and the API socket: a real directory only, open to all; a stale socket replaced, a live one kept.</summary>
public sealed class RuntimeDirectoryTests : IDisposable
{
    private readonly DirectoryInfo scratch = Directory.CreateTempSubdirectory("fleetpods-run-");

    [Fact]
    public void A_directory_is_made_or_opened_to_0755()
    {
        var made = Path.Combine(scratch.FullName, "made");
        var closed = Directory.CreateDirectory(Path.Combine(scratch.FullName, "closed"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute).FullName;

        RuntimeDirectory.Prepare(made);
        RuntimeDirectory.Prepare(closed);

        Assert.Equal((UnixFileMode)0b111_101_101, File.GetUnixFileMode(made));
        Assert.Equal((UnixFileMode)0b111_101_101, File.GetUnixFileMode(closed));
    }

    [Fact]
    public void A_symbolic_link_in_its_place_is_refused_and_its_target_untouched()
    {
        var target = Directory.CreateDirectory(Path.Combine(scratch.FullName, "elsewhere"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute).FullName;
        var link = Path.Combine(scratch.FullName, "link");
        Directory.CreateSymbolicLink(link, target);

        var refused = Assert.Throws<IOException>(() => RuntimeDirectory.Prepare(link));

        Assert.Equal($"{link} is a symbolic link; fleetpodsd's sockets need a real directory", refused.Message);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(target));
    }

    [Fact]
    public void A_socket_nobody_listens_on_is_removed_and_a_live_one_is_not_taken_over()
    {
        var stale = ApiSocket.PathFor(1, scratch.FullName);
        var live = ApiSocket.PathFor(2, scratch.FullName);
        using (var left = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified))
        {
            left.Bind(new UnixDomainSocketEndPoint(stale));
        }

        using var listening = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listening.Bind(new UnixDomainSocketEndPoint(live));
        listening.Listen(1);

        ApiSocket.ClearStale(stale);
        var refused = Assert.Throws<IOException>(() => ApiSocket.ClearStale(live));

        Assert.False(File.Exists(stale));
        Assert.True(File.Exists(live));
        Assert.Equal($"another fleetpodsd serves {live}; stop it or choose another --api-port", refused.Message);
    }

    public void Dispose() => scratch.Delete(recursive: true);
}
