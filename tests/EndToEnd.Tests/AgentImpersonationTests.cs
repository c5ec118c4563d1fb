using System.Text.Json;
using FleetPods.Grains;
using FleetPods.Security;

namespace FleetPods.EndToEnd.Tests;

/// <summary>
/// One real <c>fleetpodsd --server</c> on a fresh PostgreSQL database, real <c>fleetpodsd --agent</c> daemons with node
/// certificates made by the real <c>fleetpods cert</c>, and a program holding agent-b's certificate and key that
/// tries to be agent-a: it is refused, agent-a stays down until its own agent attaches, and no pod reaches it, while
/// the real agents attach and run a unit's pods.
/// </summary>
[Requires(Requires.Postgres)]
public sealed class AgentImpersonationTests(BusyboxImage image) : IClassFixture<BusyboxImage>
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(90);
    private const string Unit = "bound.pod";

    [RequiresFact(Requires.Root)]
    public async Task An_agent_holding_another_nodes_certificate_cannot_attach_as_it_while_the_real_agents_attach_and_run_pods()
    {
        var database = new PostgresTestDatabase();
        await database.InitializeAsync();
        try
        {
            await ServerAgentsAndImpostor(database);
        }
        finally
        {
            await database.DisposeAsync();
        }
    }

    private async Task ServerAgentsAndImpostor(PostgresTestDatabase database)
    {
        await FleetPodsDaemon.InitDatabase(database.ConnectionString);
        await using var server = new FleetPodsDaemon("bind-server", cluster: database.ConnectionString) { Server = true };
        await server.Start();
        var gateway = $"127.0.0.1:{server.GatewayPort}";
        await using var agentB = new FleetPodsDaemon("agent-b", "disk=ssd") { Servers = gateway };
        await using var agentA = new FleetPodsDaemon("agent-a", "disk=ssd") { Servers = gateway };
        await agentB.Start();
        string Logs() => string.Join("\n", new[] { server, agentA, agentB }.Select(d => $"--- {d.NodeName}\n{d.Log}"));

        // agent-b's certificate and key, copied off its machine: through the gateway (which admits any node's), as agent-a.
        await using var impostor = await ImpostorAgent.Connect(server.GatewayPort, new PkiDirectory(agentB.PkiDirectory!));
        var refused = await Assert.ThrowsAsync<AttachRefusedException>(() => impostor.AttachAs("agent-a"));
        Assert.Equal("attach as node agent-a refused: it presented node agent-b's certificate", refused.Message);
        await Until(() => Task.FromResult(server.Log.Contains("Refused an agent's attach as node agent-a: it presented node agent-b's certificate", StringComparison.Ordinal)),
            "the server to log the refusal", Logs);

        // Nor can it keep a node up by beating without the session of the agent that proved itself.
        Assert.False((await impostor.Client.GetGrain<INodeGrain>("agent-a").Heartbeat(new string('0', 64))).Accepted);
        Assert.False((await impostor.Client.GetGrain<INodeGrain>("agent-b").Heartbeat(new string('0', 64))).Accepted);
        Assert.Equal(["agent-b:up"], await Machines(server));

        // agent-a's own daemon attaches, and a unit of two runs one real pod on each real agent; the impostor gets none.
        await agentA.Start();
        foreach (var agent in new[] { agentA, agentB })
        {
            var imported = await agent.Cli("image", "import", image.Path);
            Assert.True(imported.ExitCode == 0, imported.ToString());
        }

        Assert.Equal(["agent-a:up", "agent-b:up"], await Machines(server));
        var units = Directory.CreateTempSubdirectory("fleetpods-bound-units-").FullName;
        var file = Path.Combine(units, Unit);
        // Network=none: the daemons share this one machine, and with it the default pod network's bridge.
        await File.WriteAllTextAsync(file, "[Pod]\nImage=example.com/busybox\nExec=/bin/sleep 1000\nNetwork=none\nMemory=64M\nCount=2\n");
        var started = await server.Cli("start", file);
        Directory.Delete(units, recursive: true);
        Assert.True(started.ExitCode == 0, started.ToString());
        string[] nodes = [];
        await Until(async () =>
        {
            var listed = await server.Cli("list-pods", "--output", "json");
            nodes = listed.ExitCode != 0 ? [] : [.. JsonDocument.Parse(listed.Stdout).RootElement.EnumerateArray()
                .Where(p => p.GetProperty("unitName").GetString() == Unit && p.GetProperty("phase").GetString() == "running")
                .Select(p => p.GetProperty("nodeName").GetString()!).Order(StringComparer.Ordinal)];
            return nodes.Length == 2;
        }, $"two running pods of {Unit}", Logs);
        Assert.Equal(["agent-a", "agent-b"], nodes);
        Assert.Empty(impostor.Received);

        // Once agent-a is attached, the impostor's attach is refused all the same and takes nothing from it.
        await Assert.ThrowsAsync<AttachRefusedException>(() => impostor.AttachAs("agent-a"));
        Assert.Equal(["agent-a:up", "agent-b:up"], await Machines(server));
        Assert.DoesNotContain("was refused by the servers", agentA.Log, StringComparison.Ordinal);
        Assert.DoesNotContain("attached again", agentA.Log, StringComparison.Ordinal);
    }

    private static async Task<string[]> Machines(FleetPodsDaemon server) =>
        [.. (await server.CliJson("list-machines")).EnumerateArray()
            .Select(m => $"{m.GetProperty("name").GetString()}:{m.GetProperty("status").GetString()}").Order(StringComparer.Ordinal)];

    private static async Task Until(Func<Task<bool>> condition, string what, Func<string> logs)
    {
        var deadline = DateTime.UtcNow + Within;
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting for {what}\n{logs()}");
            await Task.Delay(250);
        }
    }
}
