using System.Security.Cryptography.X509Certificates;
using FleetPods.Security;

namespace FleetPods.EndToEnd.Tests;

/// <summary>
/// Who may be an agent, against one real <c>fleetpodsd --server</c> on a real PostgreSQL with certificates made by the
/// real <c>fleetpods cert</c>: an agent presents a node certificate of the cluster's CA under its own name or does
/// not start; one of another CA never attaches; the server's gateway refuses an operator's certificate and says so.
/// </summary>
[Requires(Requires.Postgres)]
public sealed class AgentTlsTests
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(60);

    [RequiresFact(Requires.Root)]
    public async Task Only_a_node_certificate_of_the_cluster_under_its_own_name_attaches_an_agent()
    {
        var database = new PostgresTestDatabase();
        await database.InitializeAsync();
        var work = Directory.CreateTempSubdirectory("fleetpods-agent-tls-").FullName;
        try
        {
            await OneServer(database, work);
        }
        finally
        {
            await database.DisposeAsync();
            Directory.Delete(work, recursive: true);
        }
    }

    private static async Task OneServer(PostgresTestDatabase database, string work)
    {
        await FleetPodsDaemon.InitDatabase(database.ConnectionString);
        var pki = await TestPki.Shared;
        await using var server = new FleetPodsDaemon("tls-server", cluster: database.ConnectionString) { Server = true };
        await server.Start();
        var gateway = $"127.0.0.1:{server.GatewayPort}";

        // An operator's certificate as node.crt, or another node's: refused before the agent dials anything.
        var operatorPki = await TestPki.NodeDirectory(pki.Directory, "agent-op", Path.Combine(work, "operator"), role: "operator");
        var refused = await AgentProcess("agent-op", operatorPki, gateway, work);
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("not a node certificate", Assert.Single(Lines(refused.Stderr)), StringComparison.Ordinal);
        var misnamedPki = await TestPki.NodeDirectory(pki.Directory, "agent-a", Path.Combine(work, "misnamed"));
        refused = await AgentProcess("agent-x", misnamedPki, gateway, work);
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("it is node agent-a's, and this is --node-name agent-x", Assert.Single(Lines(refused.Stderr)), StringComparison.Ordinal);

        // A node certificate of another CA: the agent runs, but never attaches, and says why.
        var other = new PkiDirectory(Path.Combine(work, "other-ca"));
        await TestPki.Cert(other.Path, "ca", "create");
        var intruder = new FleetPodsDaemon("agent-f") { Servers = gateway };
        intruder.PkiDirectory = await TestPki.NodeDirectory(other, "agent-f", Path.Combine(intruder.DataDirectory, "pki"));
        var attaching = intruder.Start();
        try
        {
            await Until(() => intruder.Log.Contains("TLS: refused a connection to the server it dialled, which admits node certificates only: certificate 'CN=tls-server, OU=node' is not issued by this cluster's CA", StringComparison.Ordinal)
                && intruder.Log.Contains("Agent agent-f cannot reach a server at", StringComparison.Ordinal), $"agent-f to refuse the server\n{intruder.Log}");
            var machines = await server.CliJson("list-machines");
            Assert.Empty(machines.EnumerateArray());
        }
        finally
        {
            await intruder.DisposeAsync();
        }

        var never = await Assert.ThrowsAsync<InvalidOperationException>(() => attaching);
        Assert.DoesNotContain("Node agent-f ready", never.Message, StringComparison.Ordinal);

        // The server's gateway admits node certificates for its agents, not an operator's.
        await TestPki.Cert(pki.Directory.Path, "create", "--role", "operator", "--name", "agent-olivia");
        using (var olivia = X509Certificate2.CreateFromPemFile(pki.Directory.CertificateFile("agent-olivia"), pki.Directory.KeyFile("agent-olivia")))
        {
            await RefusedTlsClient.AssertRefused(server.GatewayPort, olivia, pki.Directory, Within);
        }

        await Until(() => server.Log.Contains("refused a connection to the gateway, which admits admin and node certificates only: certificate 'CN=agent-olivia, OU=operator' is agent-olivia (operator)", StringComparison.Ordinal),
            $"the server to log the operator certificate it refused\n{server.Log}");
    }

    private static Task<CommandResult> AgentProcess(string name, string pki, string gateway, string work) =>
        Processes.Run("dotnet", [RepositoryLayout.Daemon, "--agent", "--servers", gateway, "--advertised-address", "127.0.0.1", "--node-name", name,
            "--data-dir", Path.Combine(work, $"data-{name}"), "--pki-dir", pki, "--api-port", $"{TestPorts.Reserve()}"], Within);

    private static async Task Until(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + Within;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"waited {Within.TotalSeconds} s for {what}");
            await Task.Delay(200);
        }
    }

    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
}
