using System.Net.Sockets;
using FleetPods.Silo.FrontDoor;

namespace FleetPods.Silo.Tests.FrontDoor;

/// <summary>The kernel's account of who connected to a Unix socket, read from a real connection.</summary>
public sealed class PeerCredentialsTests : IDisposable
{
    private readonly DirectoryInfo directory = Directory.CreateTempSubdirectory("fleetpods-peer-");

    [Fact]
    public async Task A_connection_names_the_process_user_and_groups_that_made_it()
    {
        var path = Path.Combine(directory.FullName, "s.sock");
        using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(path));
        listener.Listen(1);
        using var client = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await client.ConnectAsync(new UnixDomainSocketEndPoint(path));
        using var accepted = await listener.AcceptAsync();

        var peer = PeerCredentials.Of(accepted);

        var status = File.ReadAllLines("/proc/self/status");
        uint Field(string name, int index) => uint.Parse(status.Single(l => l.StartsWith(name, StringComparison.Ordinal)).Split('\t', StringSplitOptions.RemoveEmptyEntries)[index], System.Globalization.CultureInfo.InvariantCulture);
        var groups = status.Single(l => l.StartsWith("Groups:", StringComparison.Ordinal)).Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(uint.Parse);
        Assert.Equal((Environment.ProcessId, Field("Uid:", 1), Field("Gid:", 1)), (peer.Pid, peer.Uid, peer.Gid));
        Assert.Equal(groups.Order(), peer.Groups.Order());
    }

    [Fact]
    public void A_ucred_and_a_group_list_are_read_in_the_machines_byte_order()
    {
        byte[] ucred = [.. BitConverter.GetBytes(4242), .. BitConverter.GetBytes(1001u), .. BitConverter.GetBytes(1002u)];
        byte[] groups = [.. BitConverter.GetBytes(27u), .. BitConverter.GetBytes(1003u)];

        Assert.Equal((4242, 1001u, 1002u), PeerCredentials.ParseUcred(ucred));
        Assert.Equal([27u, 1003u], PeerCredentials.ParseGroups(groups));
        Assert.Throws<SocketException>(() => PeerCredentials.ParseUcred(ucred.AsSpan(0, 8)));
    }

    public void Dispose() => directory.Delete(recursive: true);
}
