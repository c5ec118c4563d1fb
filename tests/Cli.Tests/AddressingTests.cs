using System.Net.Sockets;
using FleetPods.Cli.Native;
using FleetPods.Cli.Native.Addressing;

namespace FleetPods.Cli.Tests;

/// <summary>How the command finds its daemon: endpoints, the local socket, HTTPS credentials.</summary>
public sealed class AddressingTests : IDisposable
{
    private readonly string sockets = Directory.CreateTempSubdirectory("fleetpods-sockets-").FullName;

    [Theory]
    [InlineData("localhost:30443", "localhost", 30443, true)]
    [InlineData("127.0.0.2:1", "127.0.0.2", 1, true)]
    [InlineData("[::1]:4000", "::1", 4000, true)]
    [InlineData("node-2.example:30443", "node-2.example", 30443, false)]
    [InlineData("10.0.0.5:30443", "10.0.0.5", 30443, false)]
    public void An_endpoint_is_host_and_port_and_loopback_is_this_machine(string text, string host, int port, bool loopback)
    {
        var endpoint = ApiEndpoint.Parse(text);

        Assert.Equal((host, port, loopback), (endpoint.Host, endpoint.Port, endpoint.IsLoopback));
    }

    [Theory]
    [InlineData("nohost")]
    [InlineData(":30443")]
    [InlineData("host:0")]
    [InlineData("host:65536")]
    [InlineData("host:-1")]
    [InlineData("host:443x")]
    public void A_bad_endpoint_is_one_line_naming_it(string text)
    {
        var error = Assert.Throws<CliException>(() => ApiEndpoint.Parse(text));

        Assert.Equal($"--endpoint '{text}' is not HOST:PORT", error.Message);
    }

    [Fact]
    public void Endpoints_come_from_the_options_else_FLEETPODS_ADDR_else_the_default()
    {
        Assert.Equal(["a:1", "b:2"], CommandRunner.Endpoints(["a:1", "b:2"], "c:3").Select(e => e.ToString()));
        Assert.Equal(["c:3", "d:4"], CommandRunner.Endpoints(null, " c:3, d:4 ,").Select(e => e.ToString()));
        Assert.Equal(["localhost:30443"], CommandRunner.Endpoints([], null).Select(e => e.ToString()));
    }

    [Fact]
    public void Root_defaults_to_the_embedded_admin_certificate_and_anyone_else_must_say()
    {
        Dictionary<string, string?> none = [];

        var root = ClientCredentials.From(null, null, null, v => none.GetValueOrDefault(v), isRoot: true);
        var user = ClientCredentials.From(null, null, null, v => none.GetValueOrDefault(v), isRoot: false);

        Assert.Equal(new ClientCredentials("/var/lib/fleetpods/pki/admin.crt", "/var/lib/fleetpods/pki/admin.key", "/var/lib/fleetpods/pki/ca.crt"), root);
        Assert.Equal(new ClientCredentials(null, null, null), user);
        var error = Assert.Throws<CliException>(() => user.LoadCertificate(ApiEndpoint.Parse("n1:30443")));
        Assert.Contains("--client-cert", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Options_come_before_the_environment()
    {
        Dictionary<string, string?> environment = new() { ["FLEETPODS_CLIENT_CERT"] = "env.crt", ["FLEETPODS_CLIENT_KEY"] = "env.key", ["FLEETPODS_CA_CERT"] = "env-ca.crt" };

        var credentials = ClientCredentials.From("given.crt", null, null, v => environment.GetValueOrDefault(v), isRoot: true);

        Assert.Equal(new ClientCredentials("given.crt", "env.key", "env-ca.crt"), credentials);
    }

    [Fact]
    public async Task A_loopback_endpoint_whose_socket_exists_is_reached_over_the_socket()
    {
        using var listener = Listen(Path.Combine(sockets, "api-4100.sock"));

        var route = await EndpointProbe.FirstAnswering([ApiEndpoint.Parse("127.0.0.1:4100")], sockets, CancellationToken.None);

        Assert.Equal(new ApiRoute.Socket(ApiEndpoint.Parse("127.0.0.1:4100"), Path.Combine(sockets, "api-4100.sock")), route);
    }

    [Fact]
    public async Task The_first_endpoint_that_answers_is_used_and_a_dead_one_costs_one_probe()
    {
        using var listener = Listen(Path.Combine(sockets, "api-4102.sock"));
        using var dead = Listen(Path.Combine(sockets, "api-4101.sock"));
        dead.Dispose();

        var started = DateTime.UtcNow;
        var route = await EndpointProbe.FirstAnswering([ApiEndpoint.Parse("localhost:4101"), ApiEndpoint.Parse("localhost:4102")], sockets, CancellationToken.None);

        Assert.Equal(4102, route.Endpoint.Port);
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task No_endpoint_answering_is_one_line_naming_them_all()
    {
        var free = new TcpListener(System.Net.IPAddress.Loopback, 0);
        free.Start();
        var port = ((System.Net.IPEndPoint)free.LocalEndpoint).Port;
        free.Stop();

        var error = await Assert.ThrowsAsync<CliException>(() => EndpointProbe.FirstAnswering([ApiEndpoint.Parse($"127.0.0.1:{port}")], sockets, CancellationToken.None));

        Assert.Equal($"cannot reach fleetpodsd at 127.0.0.1:{port}: is it running?", error.Message);
    }

    [Fact]
    public async Task A_socket_left_by_a_killed_daemon_is_one_line_naming_the_endpoint_and_the_socket()
    {
        // A daemon killed leaves its socket file; a socket disposed here removes its own, so a hard link keeps one.
        var socket = Path.Combine(sockets, "api-4104.sock");
        using (Listen(socket + ".bound"))
        {
            using var link = System.Diagnostics.Process.Start("ln", [socket + ".bound", socket]);
            await link.WaitForExitAsync();
            Assert.Equal(0, link.ExitCode);
        }

        var error = await Assert.ThrowsAsync<CliException>(() => EndpointProbe.FirstAnswering([ApiEndpoint.Parse("127.0.0.1:4104")], sockets, CancellationToken.None));

        Assert.Equal($"cannot reach fleetpodsd at 127.0.0.1:4104 ({socket}): is it running?", error.Message);
    }

    [Fact]
    public async Task A_remote_endpoint_is_https_even_when_a_socket_of_its_port_exists_here()
    {
        using var listener = Listen(Path.Combine(sockets, "api-4103.sock"));
        var tcp = new TcpListener(System.Net.IPAddress.Loopback, 0);
        tcp.Start();
        try
        {
            var port = ((System.Net.IPEndPoint)tcp.LocalEndpoint).Port;
            var route = await EndpointProbe.FirstAnswering([ApiEndpoint.Parse($"127.0.0.1:{port}")], sockets, CancellationToken.None);

            Assert.IsType<ApiRoute.Https>(route);
        }
        finally
        {
            tcp.Stop();
        }
    }

    [Fact]
    public async Task An_https_endpoint_on_this_machine_is_https_even_where_its_socket_exists()
    {
        var tcp = new TcpListener(System.Net.IPAddress.Loopback, 0);
        tcp.Start();
        try
        {
            var port = ((System.Net.IPEndPoint)tcp.LocalEndpoint).Port;
            using var listener = Listen(Path.Combine(sockets, $"api-{port}.sock"));

            var route = await EndpointProbe.FirstAnswering([ApiEndpoint.Parse($"https://127.0.0.1:{port}")], sockets, CancellationToken.None);

            Assert.Equal($"https://127.0.0.1:{port}", Assert.IsType<ApiRoute.Https>(route).ToString());
        }
        finally
        {
            tcp.Stop();
        }
    }

    public void Dispose() => Directory.Delete(sockets, recursive: true);

    private static Socket Listen(string path)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        socket.Bind(new UnixDomainSocketEndPoint(path));
        socket.Listen();
        return socket;
    }
}
