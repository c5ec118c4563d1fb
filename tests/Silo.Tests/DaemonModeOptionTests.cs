using System.Net;
using System.Net.Sockets;

namespace FleetPods.Silo.Tests;

public sealed class DaemonModeOptionTests
{
    [Theory]
    [InlineData(false, false, null, false, DaemonMode.Node)]
    [InlineData(false, false, null, true, DaemonMode.Node)]
    [InlineData(true, false, null, true, DaemonMode.Server)]
    [InlineData(false, true, "10.0.0.1:30000", false, DaemonMode.Agent)]
    public void The_flags_make_one_mode(bool server, bool agent, string? servers, bool database, DaemonMode mode) =>
        Assert.Equal(mode, DaemonModeOption.Choose(server, agent, servers, database));

    [Theory]
    [InlineData(true, true, "10.0.0.1:30000", true, "--server and --agent exclude each other: a daemon holds the cluster's grains (--server) or runs its machine's pods for the servers (--agent)")]
    [InlineData(false, true, null, false, "--agent needs --servers HOST:PORT[,HOST:PORT…]: the gateways of the cluster's servers")]
    [InlineData(false, true, "10.0.0.1:30000", true, "--agent opens no database connection: leave out --cluster (and $FLEETPODS_CLUSTER, the config file's cluster); it reaches the cluster through --servers")]
    [InlineData(false, false, "10.0.0.1:30000", true, "--servers is for --agent: the servers' gateways an agent attaches through")]
    [InlineData(true, false, null, false, "--server needs the cluster database: --cluster \"Host=…\", $FLEETPODS_CLUSTER or the config file")]
    public void Flags_that_make_no_mode_are_refused_in_one_line(bool server, bool agent, string? servers, bool database, string message) =>
        Assert.Equal(message, Assert.Throws<FormatException>(() => DaemonModeOption.Choose(server, agent, servers, database)).Message);

    [Fact]
    public void Servers_are_gateways_by_address_or_resolved_name_each_once()
    {
        var servers = ServersOption.Parse(" 10.0.0.1:30000, server-b:30001 ,10.0.0.1:30000,[::1]:30002", host =>
            host == "server-b" ? [IPAddress.Parse("fd00::2"), IPAddress.Parse("10.0.0.2")] : throw new SocketException((int)SocketError.HostNotFound));

        Assert.Equal([new IPEndPoint(IPAddress.Parse("10.0.0.1"), 30000), new IPEndPoint(IPAddress.Parse("10.0.0.2"), 30001), new IPEndPoint(IPAddress.IPv6Loopback, 30002)], servers);
    }

    [Theory]
    [InlineData(" , ", "--servers names no server; give the servers' gateways as HOST:PORT[,HOST:PORT…]")]
    [InlineData("10.0.0.1", "--servers: '10.0.0.1' is not HOST:PORT (a server's gateway, e.g. 10.0.0.1:30000)")]
    [InlineData("10.0.0.1:", "--servers: '10.0.0.1:' is not HOST:PORT (a server's gateway, e.g. 10.0.0.1:30000)")]
    [InlineData("10.0.0.1:http", "--servers: '10.0.0.1:http' has no port (1-65535) after its ':'")]
    [InlineData("10.0.0.1:70000", "--servers: '10.0.0.1:70000' has no port (1-65535) after its ':'")]
    [InlineData("10.0.0.1:-1", "--servers: '10.0.0.1:-1' has no port (1-65535) after its ':'")]
    [InlineData("nowhere:30000", "--servers: 'nowhere:30000': host 'nowhere' does not resolve (")]
    public void Bad_servers_are_named(string text, string message) =>
        Assert.StartsWith(message, Assert.Throws<FormatException>(() => ServersOption.Parse(text, _ => throw new SocketException((int)SocketError.HostNotFound))).Message, StringComparison.Ordinal);
}
