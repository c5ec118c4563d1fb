using System.Text.Json;

namespace FleetPods.EndToEnd.Tests;

/// <summary>
/// <c>fleetpodsd --stage1</c>: two real daemons in cluster mode on PostgreSQL, one offering only ns; a unit asking for a
/// flavor both machines could run runs only on the node that offers it.
/// </summary>
[Requires(Requires.Postgres)]
public sealed class Stage1OfferTests(BusyboxImage image) : IClassFixture<BusyboxImage>, IAsyncLifetime
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(60);
    private readonly PostgresTestDatabase database = new();
    private readonly string units = Directory.CreateTempSubdirectory("fleetpods-stage1-units-").FullName;
    private FleetPodsDaemon[] nodes = [];

    public async Task InitializeAsync()
    {
        await database.InitializeAsync();
        var init = await Processes.Run("dotnet", [RepositoryLayout.Daemon, "--init-db", "--cluster", database.ConnectionString], TimeSpan.FromSeconds(60));
        Assert.True(init.ExitCode == 0, init.ToString());
        nodes =
        [
            new FleetPodsDaemon("node-ns", "role=e2e", database.ConnectionString) { Options = ["--stage1", "ns"] },
            new FleetPodsDaemon("node-all", "role=e2e", database.ConnectionString),
        ];
        await Task.WhenAll(nodes.Select(n => n.Start()));
        foreach (var node in nodes)
        {
            var imported = await Cli("image", "import", image.Path, "--node", node.NodeName);
            Assert.True(imported.ExitCode == 0, imported.ToString());
        }
    }

    public async Task DisposeAsync()
    {
        foreach (var node in nodes)
        {
            await node.DisposeAsync();
        }

        await database.DisposeAsync();
        Directory.Delete(units, recursive: true);
    }

    [RequiresFact(Requires.Root)]
    public async Task A_fly_unit_runs_only_on_the_node_that_offers_fly()
    {
        var machines = await Cli("list-machines", "--output", "json");
        Assert.True(machines.ExitCode == 0, machines.ToString());
        var offered = JsonDocument.Parse(machines.Stdout).RootElement.EnumerateArray()
            .ToDictionary(m => m.GetProperty("name").GetString()!, m => m.GetProperty("stage1Flavors").EnumerateArray().Select(f => f.GetString()).ToList());
        Assert.Equal(["ns"], offered["node-ns"]);
        Assert.Contains("fly", offered["node-all"]);

        var path = Path.Combine(units, "system.pod");
        await File.WriteAllTextAsync(path, "[Pod]\nImage=example.com/busybox\nExec=/bin/sleep 1000\nStage1=fly\nCount=2\n");
        var started = await Cli("start", path);
        Assert.True(started.ExitCode == 0, started.ToString());

        List<JsonElement> running = [];
        var deadline = DateTime.UtcNow + Within;
        while (running.Count < 2)
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting for 2 running fly pods\n{string.Join("\n", nodes.Select(n => $"--- {n.NodeName}\n{n.Log}"))}");
            await Task.Delay(250);
            var listed = await Cli("list-pods", "--output", "json");
            running = listed.ExitCode != 0 ? [] : [.. JsonDocument.Parse(listed.Stdout).RootElement.EnumerateArray()
                .Where(p => p.GetProperty("unitName").GetString() == "system.pod" && p.GetProperty("phase").GetString() == "running")];
        }

        Assert.All(running, p => Assert.Equal("node-all", p.GetProperty("nodeName").GetString()));
    }

    private Task<CommandResult> Cli(params string[] arguments) =>
        Processes.Run(RepositoryLayout.Cli, [.. nodes.SelectMany(n => new[] { "--endpoint", n.Endpoint }), .. arguments], TimeSpan.FromSeconds(90));
}
