using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Net;
using System.Text.Json;
using FleetPods.Grains;
using FleetPods.Security;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Configuration;

namespace FleetPods.EndToEnd.Tests;

/// <summary>
/// Three real fleetpodsd processes in cluster mode on a real PostgreSQL, with a CA and node certificates made by the
/// real <c>fleetpods cert</c>: a fourth silo without a node certificate of the cluster never joins, the silo port
/// refuses anything but a node certificate, and the gateway serves admin certificates only (not an operator's,
/// another CA's, an expired or a revoked one).
/// </summary>
[Requires(Requires.Postgres)]
public sealed class ClusterTlsTests : IAsyncLifetime
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(60);
    private static readonly string[] NodeNames = ["tls-a", "tls-b", "tls-c"];
    private readonly PostgresTestDatabase database = new();
    private readonly string work = Directory.CreateTempSubdirectory("fleetpods-tls-").FullName;
    private readonly List<FleetPodsDaemon> daemons = [];
    private PkiDirectory authority = null!;

    public async Task InitializeAsync()
    {
        await database.InitializeAsync();
        await FleetPodsDaemon.InitDatabase(database.ConnectionString);
        authority = new PkiDirectory(Path.Combine(work, "ca"));
        await TestPki.Cert(authority.Path, "ca", "create");
        await TestPki.Cert(authority.Path, "create", "--role", "admin", "--name", "root");
        foreach (var name in NodeNames)
        {
            var node = Daemon(name);
            node.PkiDirectory = await TestPki.NodeDirectory(authority, name, Path.Combine(node.DataDirectory, "pki"));
        }

        await Task.WhenAll(daemons.Select(d => d.Start()));
    }

    public async Task DisposeAsync()
    {
        foreach (var daemon in daemons)
        {
            await daemon.DisposeAsync();
        }

        await database.DisposeAsync();
        Directory.Delete(work, recursive: true);
    }

    [RequiresFact(Requires.Root)]
    public async Task A_fourth_silo_without_a_node_certificate_of_the_cluster_never_joins_and_the_three_keep_serving()
    {
        // No node certificate at all: fleetpodsd says how to make one and stops.
        var bare = Path.Combine(work, "bare");
        Directory.CreateDirectory(bare);
        File.Copy(authority.CaCertificate, Path.Combine(bare, "ca.crt"));
        var refused = await DaemonProcess("tls-d", bare);
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("fleetpods cert create --role node --name tls-d", Assert.Single(Lines(refused.Stderr)), StringComparison.Ordinal);

        // An operator's certificate in node.crt: not a node's, refused before the silo starts.
        var operatorPki = await TestPki.NodeDirectory(authority, "tls-e", Path.Combine(work, "operator"), role: "operator");
        refused = await DaemonProcess("tls-e", operatorPki);
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("not a node certificate", Assert.Single(Lines(refused.Stderr)), StringComparison.Ordinal);

        // Another node's certificate of the cluster, copied here: refused before the silo starts, naming both.
        var misnamedPki = await TestPki.NodeDirectory(authority, "tls-a", Path.Combine(work, "misnamed"));
        refused = await DaemonProcess("tls-g", misnamedPki);
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("it is node tls-a's, and this is --node-name tls-g", Assert.Single(Lines(refused.Stderr)), StringComparison.Ordinal);

        // A node certificate of another CA: the silo starts, but the three refuse it at their silo ports (and it them).
        var other = new PkiDirectory(Path.Combine(work, "other-ca"));
        await TestPki.Cert(other.Path, "ca", "create");
        var intruder = Daemon("tls-f");
        intruder.PkiDirectory = await TestPki.NodeDirectory(other, "tls-f", Path.Combine(intruder.DataDirectory, "pki"));
        var joining = intruder.Start();
        await Until(() => Task.FromResult(daemons.Take(3).Any(d => d.Log.Contains("TLS: refused", StringComparison.Ordinal) && d.Log.Contains("CN=tls-f, OU=node", StringComparison.Ordinal))),
            "one of the three to refuse tls-f's certificate");

        // An operator's certificate presented straight to a silo port: refused, and the log says why.
        using (var eve = Issue("eve", CertificateKind.Operator))
        {
            await RefusedTlsClient.AssertRefused(daemons[0].SiloPort, eve, authority, Within);
        }

        await Until(() => Task.FromResult(daemons[0].Log.Contains("refused a connection to the silo port, which admits node certificates only: certificate 'CN=eve, OU=operator' is eve (operator)", StringComparison.Ordinal)),
            "tls-a to log the operator certificate it refused at the silo port");

        var machines = await daemons[0].Cli("list-machines", "--output", "json");
        Assert.True(machines.ExitCode == 0, machines.ToString());
        var nodes = JsonDocument.Parse(machines.Stdout).RootElement.EnumerateArray()
            .Select(m => (m.GetProperty("name").GetString(), m.GetProperty("status").GetString())).Order().ToArray();
        Assert.Equal([("tls-a", "up"), ("tls-b", "up"), ("tls-c", "up")], nodes);

        await intruder.DisposeAsync();
        var never = await Assert.ThrowsAsync<InvalidOperationException>(() => joining);
        Assert.DoesNotContain("Node tls-f ready", never.Message, StringComparison.Ordinal);
    }

    [RequiresFact(Requires.Root)]
    public async Task The_gateway_serves_an_admin_certificate_and_refuses_operator_foreign_expired_and_revoked_ones()
    {
        Assert.Null(await GatewayRefusal(Admin));

        await TestPki.Cert(authority.Path, "create", "--role", "operator", "--name", "olivia");
        await AssertGatewayRefuses(Client(authority, "olivia"), "certificate 'CN=olivia, OU=operator' is olivia (operator)");

        var other = new PkiDirectory(Path.Combine(work, "foreign"));
        await TestPki.Cert(other.Path, "ca", "create");
        await TestPki.Cert(other.Path, "create", "--role", "admin", "--name", "root");
        await AssertGatewayRefuses(Client(other, "root") with { CaCertificate = authority.CaCertificate }, "certificate 'CN=root, OU=admin' is not issued by this cluster's CA");

        // `fleetpods cert` makes nothing shorter than a day, and the CA is minutes old: the CA's own library makes a
        // certificate that ends a second from now.
        DateTime ended;
        using (var expiring = Issue("old", CertificateKind.Admin, TimeSpan.FromSeconds(1)))
        using (var key = expiring.GetECDsaPrivateKey()!)
        {
            PkiFile.Create(authority.CertificateFile("old"), expiring.ExportCertificatePem(), PkiFile.PublicMode);
            PkiFile.Create(authority.KeyFile("old"), key.ExportPkcs8PrivateKeyPem(), PkiFile.PrivateMode);
            ended = expiring.NotAfter.ToUniversalTime();
        }

        await Until(() => Task.FromResult(DateTime.UtcNow > ended.AddSeconds(1)), "the certificate 'old' to expire");

        Assert.NotNull(await GatewayRefusal(Client(authority, "old")));
        // The client library may keep an expired certificate to itself; presented anyway, the gateway refuses it.
        using (var old = X509Certificate2.CreateFromPemFile(authority.CertificateFile("old"), authority.KeyFile("old")))
        {
            await RefusedTlsClient.AssertRefused(daemons[0].GatewayPort, old, authority, Within);
        }

        await Until(() => Task.FromResult(daemons[0].Log.Contains("refused a connection to the gateway, which admits admin certificates only: certificate 'CN=old, OU=admin' expired at", StringComparison.Ordinal)),
            "tls-a to log the expired certificate it refused");

        await TestPki.Cert(authority.Path, "create", "--role", "admin", "--name", "mallory");
        Assert.Null(await GatewayRefusal(Client(authority, "mallory")));
        await TestPki.Cert(authority.Path, "revoke", authority.CertificateFile("mallory"));
        // Distributing crl.pem is copying it into each node's PKI directory; the daemon reads it again when it changes.
        foreach (var daemon in daemons)
        {
            File.Copy(authority.RevocationList, Path.Combine(daemon.PkiDirectory!, ".crl.pem.new"));
            File.Move(Path.Combine(daemon.PkiDirectory!, ".crl.pem.new"), Path.Combine(daemon.PkiDirectory!, "crl.pem"));
        }

        await AssertGatewayRefuses(Client(authority, "mallory"), "certificate 'CN=mallory, OU=admin' (serial");
        Assert.Null(await GatewayRefusal(Admin));
    }

    private ClientFiles Admin => Client(authority, "root");

    private static ClientFiles Client(PkiDirectory pki, string name) => new(pki.CertificateFile(name), pki.KeyFile(name), pki.CaCertificate);

    private FleetPodsDaemon Daemon(string name)
    {
        var daemon = new FleetPodsDaemon(name, "disk=ssd", database.ConnectionString);
        daemons.Add(daemon);
        return daemon;
    }

    private Task<CommandResult> DaemonProcess(string name, string pki) =>
        Processes.Run("dotnet", [RepositoryLayout.Daemon, "--cluster", database.ConnectionString, "--advertised-address", "127.0.0.1", "--node-name", name,
            "--data-dir", Path.Combine(work, $"data-{name}"), "--pki-dir", pki, "--silo-port", $"{TestPorts.Reserve()}", "--gateway-port", $"{TestPorts.Reserve()}"], Within);

    /// <summary>
    /// Null when a .NET program presenting <paramref name="client"/> reads the cluster's nodes through tls-a's raw
    /// Orleans gateway (the client example of docs/dotnet-client.md); else why it could not.
    /// </summary>
    private async Task<string?> GatewayRefusal(ClientFiles client)
    {
        using var certificate = X509Certificate2.CreateFromPemFile(client.Certificate, client.Key);
        using var trust = ClusterTrust.Load(client.CaCertificate, null);
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.UseOrleansClient(orleans => orleans
            .UseStaticClustering(new IPEndPoint(IPAddress.Loopback, daemons[0].GatewayPort))
            .UseTls(certificate, tls => tls.RemoteCertificateValidation = (server, _, _) => trust.Identify(server, out _)?.Kind == CertificateKind.Node)
            .UseConnectionRetryFilter((_, _) => Task.FromResult(false))
            .Configure<ClusterOptions>(o => (o.ClusterId, o.ServiceId) = ("fleetpods", "fleetpods")));
        using var host = builder.Build();
        try
        {
            using var deadline = new CancellationTokenSource(Within);
            await host.StartAsync(deadline.Token);
            var nodes = await host.Services.GetRequiredService<IClusterClient>().GetGrain<IClusterGrain>(IClusterGrain.Key).GetNodes();
            Assert.Contains(nodes, n => n.Name == daemons[0].NodeName);
            await host.StopAsync(deadline.Token);
            return null;
        }
        catch (Exception ex) when (ex is OrleansException or SocketException or TimeoutException or IOException or OperationCanceledException or System.Security.Authentication.AuthenticationException)
        {
            return ex.Message;
        }
    }

    private async Task AssertGatewayRefuses(ClientFiles client, string logged)
    {
        Assert.NotNull(await GatewayRefusal(client));
        await Until(() => Task.FromResult(daemons[0].Log.Contains($"refused a connection to the gateway, which admits admin certificates only: {logged}", StringComparison.Ordinal)),
            $"tls-a to log: {logged}");
    }

    private X509Certificate2 Issue(string name, CertificateKind kind, TimeSpan? lifetime = null)
    {
        using var ca = authority.LoadAuthority();
        return ca.Issue(new CertificateIdentity(name, kind), [], [], DateTimeOffset.UtcNow, lifetime ?? TimeSpan.FromDays(1));
    }

    private async Task Until(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow + Within;
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"waited {Within.TotalSeconds} s for {what}\n{string.Join("\n", daemons.Select(d => $"--- {d.NodeName}\n{d.Log}"))}");
            await Task.Delay(200);
        }
    }

    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    private sealed record ClientFiles(string Certificate, string Key, string CaCertificate);
}
