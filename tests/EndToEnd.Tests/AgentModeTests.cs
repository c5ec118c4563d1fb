using System.Globalization;
using System.Text.Json;
using Npgsql;

namespace FleetPods.EndToEnd.Tests;

/// <summary>
/// One real <c>fleetpodsd --server</c> on a fresh PostgreSQL database and two real <c>fleetpodsd --agent</c> daemons
/// (own data directories, API sockets, node certificates): the agents run a unit's busybox pods, hold no database
/// connection, keep their pods through a SIGKILLed server and attach again when it is back, and a SIGKILLed agent's
/// pods run on the other after the heartbeat timeout.
/// </summary>
[Requires(Requires.Postgres)]
public sealed class AgentModeTests : IClassFixture<BusyboxImage>
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(90);
    private const string Unit = "spread.pod";

    private readonly BusyboxImage image;

    public AgentModeTests(BusyboxImage image) => this.image = image;

    [RequiresFact(Requires.Root)]
    public async Task Agents_run_the_pods_without_a_database_keep_them_through_a_server_restart_and_a_dead_agents_pods_move()
    {
        var database = new PostgresTestDatabase();
        await database.InitializeAsync();
        try
        {
            await ServerAndTwoAgents(database);
        }
        finally
        {
            await database.DisposeAsync();
        }
    }

    private async Task ServerAndTwoAgents(PostgresTestDatabase database)
    {
        await FleetPodsDaemon.InitDatabase(database.ConnectionString);
        await using var server = new FleetPodsDaemon("fp-server", cluster: database.ConnectionString) { Server = true };
        await server.Start();
        var gateway = $"127.0.0.1:{server.GatewayPort}";
        await using var agentA = new FleetPodsDaemon("agent-a", "disk=ssd") { Servers = gateway };
        await using var agentB = new FleetPodsDaemon("agent-b", "disk=ssd") { Servers = gateway };
        FleetPodsDaemon[] agents = [agentA, agentB];
        await Task.WhenAll(agents.Select(a => a.Start()));
        string Logs() => string.Join("\n", new[] { server, agentA, agentB }.Select(d => $"--- {d.NodeName}\n{d.Log}"));

        // Each agent's own API imports into its own store (an agent's store has no grain for another node to reach).
        foreach (var agent in agents)
        {
            var imported = await agent.Cli("image", "import", image.Path);
            Assert.True(imported.ExitCode == 0, imported.ToString());
        }

        // An agent's API reaches its own store; the server keeps none.
        var held = await agentA.CliJson("image", "list", "--node", "agent-a");
        Assert.Contains(held.GetProperty("images").EnumerateArray(), i => i.GetProperty("name").GetString() == BusyboxImage.Name && i.GetProperty("node").GetString() == "agent-a");
        var refused = await server.Cli("image", "import", image.Path, "--node", "agent-a");
        Assert.Equal(1, refused.ExitCode);
        Assert.Equal("fleetpods: server fp-server keeps no images; import through the API of the node that is to hold the image", refused.Stderr.Trim());

        // The machines are the agents, seen alike through the server's API and an agent's (its cluster client); the server is none.
        foreach (var daemon in new[] { server, agentA })
        {
            var machines = await daemon.CliJson("list-machines");
            Assert.Equal(["agent-a:up", "agent-b:up"], machines.EnumerateArray().Select(m => $"{m.GetProperty("name").GetString()}:{m.GetProperty("status").GetString()}").Order());
            Assert.Equal($"127.0.0.1:{agentA.ApiPort}", machines.EnumerateArray().Single(m => m.GetProperty("name").GetString() == "agent-a").GetProperty("address").GetString());
        }

        await AssertOnlyTheServerHoldsConnections(database, server, agents);

        // A unit of two, started through an agent's API, runs one real pod on each agent.
        var units = Directory.CreateTempSubdirectory("fleetpods-agent-units-").FullName;
        var file = Path.Combine(units, Unit);
        // Network=none: the daemons share this one machine, and with it the default pod network's bridge.
        await File.WriteAllTextAsync(file, "[Pod]\nImage=example.com/busybox\nExec=/bin/sleep 1000\nNetwork=none\nMemory=64M\nCount=2\n");
        var started = await agentA.Cli("start", file);
        Directory.Delete(units, recursive: true);
        Assert.True(started.ExitCode == 0, started.ToString());
        var placed = await RunningPods(server, 2, _ => true, Logs);
        Assert.Equal(["agent-a", "agent-b"], placed.Select(p => p.Node).Order());

        // Their states reached the pods by the agents' reports through their node grains, none refused or failed
        // (a reconcile round would have set them running too, later).
        Assert.All(agents, a => Assert.False(a.Log.Contains("did not take", StringComparison.Ordinal) || a.Log.Contains("Could not report", StringComparison.Ordinal), a.Log));
        var processes = placed.ToDictionary(p => p.Id, p => AppPid(agents.Single(a => a.NodeName == p.Node), p.Id));
        Assert.All(processes.Values, pid => Assert.True(Directory.Exists($"/proc/{pid}"), $"pod process {pid} is not alive"));
        var status = await agentB.Cli("status", placed[0].Id);
        Assert.True(status.ExitCode == 0, status.ToString());
        Assert.Contains("running", status.Stdout, StringComparison.Ordinal);

        // The server SIGKILLed: the agents say so and keep their pods running.
        await server.Kill();
        await Until(() => Task.FromResult(agents.All(a => a.Log.Contains("cannot reach the servers", StringComparison.Ordinal))), "both agents to notice the server is gone", Logs);
        Assert.All(processes.Values, pid => Assert.True(Directory.Exists($"/proc/{pid}"), $"pod process {pid} died with the server"));

        // Unattached, an agent still opens no connection to the database: it has no way to.
        var postgres = $":{new NpgsqlConnectionStringBuilder(database.ConnectionString).Port}";
        foreach (var agent in agents)
        {
            Assert.DoesNotContain(await TcpConnections(agent.ProcessId), c => c.Peer.EndsWith(postgres, StringComparison.Ordinal));
        }

        // The server back: each agent attaches again with its pod, which is still listed running where it runs; nothing is placed twice.
        await server.Start();
        await Until(() => Task.FromResult(agents.All(a => a.Log.Contains("attached again with 1 pods", StringComparison.Ordinal))), "both agents to attach again", Logs);
        var after = await RunningPods(server, 2, _ => true, Logs);
        Assert.Equal(placed.OrderBy(p => p.Id), after.OrderBy(p => p.Id));
        Assert.Equal(2, (await server.CliJson("list-pods")).EnumerateArray().Count(p => p.GetProperty("unitName").GetString() == Unit));
        Assert.All(processes, pod => Assert.True(Directory.Exists($"/proc/{pod.Value}") && AppPid(agents.Single(a => a.NodeName == placed.Single(p => p.Id == pod.Key).Node), pod.Key) == pod.Value,
            $"pod {pod.Key} is not the process it was before the server restart"));
        await AssertOnlyTheServerHoldsConnections(database, server, agents);

        // agent-b SIGKILLed: after the heartbeat timeout it is listed down and its pod runs on agent-a.
        await agentB.Kill();
        await Until(async () => (await server.Cli("list-machines", "--output", "json")) is { ExitCode: 0 } listed
            && JsonDocument.Parse(listed.Stdout).RootElement.EnumerateArray().Any(m => m.GetProperty("name").GetString() == "agent-b" && m.GetProperty("status").GetString() == "down"),
            "agent-b to be listed down", Logs);
        var moved = await RunningPods(server, 2, p => p.Node == "agent-a", Logs);
        Assert.Contains(moved, p => p.Id == placed.Single(q => q.Node == "agent-a").Id);
        Assert.DoesNotContain(moved, p => p.Id == placed.Single(q => q.Node == "agent-b").Id);
    }

    [RequiresFact(Requires.Root)]
    public async Task An_agent_rides_out_the_loss_of_either_of_two_servers_with_its_pod_running_and_placed_once()
    {
        var database = new PostgresTestDatabase();
        await database.InitializeAsync();
        try
        {
            await TwoServersAndAnAgent(database);
        }
        finally
        {
            await database.DisposeAsync();
        }
    }

    private async Task TwoServersAndAnAgent(PostgresTestDatabase database)
    {
        await FleetPodsDaemon.InitDatabase(database.ConnectionString);
        await using var first = new FleetPodsDaemon("fp-server-1", cluster: database.ConnectionString) { Server = true };
        await using var second = new FleetPodsDaemon("fp-server-2", cluster: database.ConnectionString) { Server = true };
        await Task.WhenAll(first.Start(), second.Start());
        await using var agent = new FleetPodsDaemon("agent-a", "disk=ssd") { Servers = $"127.0.0.1:{first.GatewayPort},127.0.0.1:{second.GatewayPort}" };
        await agent.Start();
        string Logs() => string.Join("\n", new[] { first, second, agent }.Select(d => $"--- {d.NodeName}\n{d.Log}"));
        var imported = await agent.Cli("image", "import", image.Path);
        Assert.True(imported.ExitCode == 0, imported.ToString());
        var units = Directory.CreateTempSubdirectory("fleetpods-agent-units-").FullName;
        var file = Path.Combine(units, Unit);
        await File.WriteAllTextAsync(file, "[Pod]\nImage=example.com/busybox\nExec=/bin/sleep 1000\nNetwork=none\nMemory=64M\nCount=1\n");
        var started = await agent.Cli("start", file);
        Directory.Delete(units, recursive: true);
        Assert.True(started.ExitCode == 0, started.ToString());
        var pod = Assert.Single(await RunningPods(agent, 1, _ => true, Logs));
        var pid = AppPid(agent, pod.Id);

        // Whichever server holds the agent's node grain, one of these two kills takes it: the survivor takes over
        // (its gateway for the agent's calls, its grains from storage and from the agent's attach).
        foreach (var (victim, survivor) in new[] { (first, second), (second, first) })
        {
            await victim.Kill();
            await Until(async () => (await survivor.Cli("list-machines", "--output", "json")) is { ExitCode: 0 } listed
                && JsonDocument.Parse(listed.Stdout).RootElement.EnumerateArray().Single().GetProperty("status").GetString() == "up",
                $"agent-a listed up through {survivor.NodeName} alone", Logs);
            var running = Assert.Single(await RunningPods(survivor, 1, _ => true, Logs));
            Assert.True(running == pod, $"after {victim.NodeName} was killed, {running} runs instead of {pod}\n{Logs()}");
            var listed = await agent.CliJson("list-pods");
            Assert.Equal([pod.Id], listed.EnumerateArray().Where(p => p.GetProperty("unitName").GetString() == Unit).Select(p => p.GetProperty("id").GetString()));
            Assert.True(Directory.Exists($"/proc/{pid}") && AppPid(agent, pod.Id) == pid, $"pod {pod.Id} is not the process it was\n{Logs()}");
            await victim.Start();
        }
    }

    [Theory]
    [InlineData("--agent", "fleetpodsd: --agent needs --servers HOST:PORT[,HOST:PORT…]: the gateways of the cluster's servers")]
    [InlineData("--agent --servers 127.0.0.1:30000 --cluster Host=db", "fleetpodsd: --agent opens no database connection: leave out --cluster (and $FLEETPODS_CLUSTER, the config file's cluster); it reaches the cluster through --servers")]
    [InlineData("--server --agent --servers 127.0.0.1:30000 --cluster Host=db", "fleetpodsd: --server and --agent exclude each other: a daemon holds the cluster's grains (--server) or runs its machine's pods for the servers (--agent)")]
    [InlineData("--server", "fleetpodsd: --server needs the cluster database: --cluster \"Host=…\", $FLEETPODS_CLUSTER or the config file")]
    [InlineData("--agent --servers 127.0.0.1:http", "fleetpodsd: --servers: '127.0.0.1:http' has no port (1-65535) after its ':'")]
    [InlineData("--agent --servers 127.0.0.1:30000 --gateway-port 30001", "fleetpodsd: --gateway-port is not for --agent, which is no silo and opens no database")]
    [InlineData("--server --cluster Host=db --stage1 ns", "fleetpodsd: --stage1 is not for --server, which runs no pods")]
    public async Task Flags_that_make_no_mode_stop_the_daemon_with_one_line_and_exit_code_2(string flags, string line)
    {
        var result = await Processes.Run("dotnet", [RepositoryLayout.Daemon, .. flags.Split(' ')], TimeSpan.FromSeconds(60), environment: new Dictionary<string, string?> { ["FLEETPODS_CLUSTER"] = null });

        Assert.Equal(2, result.ExitCode);
        Assert.Equal(line, result.Stderr.Trim());
        Assert.Equal("", result.Stdout);
    }

    // Every connection to the cluster's database, as PostgreSQL lists it, comes from the server's process; the agents' processes hold none.
    private static async Task AssertOnlyTheServerHoldsConnections(PostgresTestDatabase database, FleetPodsDaemon server, IEnumerable<FleetPodsDaemon> agents)
    {
        var clientPorts = new List<int>();
        await using (var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(database.ConnectionString) { Pooling = false }.ConnectionString))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand("SELECT client_port FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()", connection);
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                clientPorts.Add(reader.IsDBNull(0) ? -1 : reader.GetInt32(0));
            }
        }

        var serverPorts = await LocalTcpPorts(server.ProcessId);
        Assert.NotEmpty(clientPorts);
        Assert.All(clientPorts, port => Assert.Contains(port, serverPorts));
        foreach (var agent in agents)
        {
            Assert.Empty((await LocalTcpPorts(agent.ProcessId)).Intersect(clientPorts));
        }
    }

    private static async Task<HashSet<int>> LocalTcpPorts(int pid) =>
        [.. (await TcpConnections(pid)).Select(c => int.Parse(c.Local[(c.Local.LastIndexOf(':') + 1)..], CultureInfo.InvariantCulture))];

    // The process's TCP connections as the kernel lists them (ss: State Recv-Q Send-Q Local Peer Process).
    private static async Task<List<(string Local, string Peer)>> TcpConnections(int pid)
    {
        var sockets = await Processes.Run("ss", ["-tnpH"], TimeSpan.FromSeconds(20));
        Assert.True(sockets.ExitCode == 0, sockets.ToString());
        return [.. sockets.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Where(line => line.Contains($"pid={pid},", StringComparison.Ordinal))
            .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Select(columns => (columns[3], columns[4]))];
    }

    // The pod's "pid" record holds "<supervisor pid> <app pid>".
    private static int AppPid(FleetPodsDaemon node, string podId) =>
        int.Parse(File.ReadAllText(Path.Combine(node.DataDirectory, "pods", podId, "pid")).Split(' ')[1], CultureInfo.InvariantCulture);

    private static async Task<List<PlacedPod>> RunningPods(FleetPodsDaemon daemon, int count, Func<PlacedPod, bool> where, Func<string> logs)
    {
        List<PlacedPod> running = [];
        await Until(async () =>
        {
            var listed = await daemon.Cli("list-pods", "--output", "json");
            running = listed.ExitCode != 0 ? [] :
                [.. JsonDocument.Parse(listed.Stdout).RootElement.EnumerateArray()
                    .Where(p => p.GetProperty("unitName").GetString() == Unit && p.GetProperty("phase").GetString() == "running")
                    .Select(p => new PlacedPod(p.GetProperty("id").GetString()!, p.GetProperty("nodeName").GetString() ?? ""))
                    .Where(where)];
            return running.Count == count;
        }, $"{count} running pods of {Unit}", logs);
        return running;
    }

    private static async Task Until(Func<Task<bool>> condition, string what, Func<string> logs)
    {
        var deadline = DateTime.UtcNow + Within;
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting for {what}\n{logs()}");
            await Task.Delay(250);
        }
    }

    private sealed record PlacedPod(string Id, string Node);
}
