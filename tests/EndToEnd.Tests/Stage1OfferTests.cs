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
    private readonly string units = Directory.CreateTempSubdirectory("fleetpods-stage1-units-").FullName;
    private DaemonCluster? cluster;

    private DaemonCluster Cluster => cluster!;

    public async Task InitializeAsync() =>
        cluster = await DaemonCluster.Start(image, new Dictionary<string, string[]> { ["node-ns"] = ["--stage1", "ns"] }, "node-ns", "node-all");

    public async Task DisposeAsync()
    {
        if (cluster is not null)
        {
            await cluster.DisposeAsync();
        }

        Directory.Delete(units, recursive: true);
    }

    [RequiresFact(Requires.Root)]
    public async Task A_fly_unit_runs_only_on_the_node_that_offers_fly()
    {
        var machines = await Cluster.Cli("list-machines", "--output", "json");
        Assert.True(machines.ExitCode == 0, machines.ToString());
        var offered = JsonDocument.Parse(machines.Stdout).RootElement.EnumerateArray()
            .ToDictionary(m => m.GetProperty("name").GetString()!, m => m.GetProperty("stage1Flavors").EnumerateArray().Select(f => f.GetString()).ToList());
        Assert.Equal(["ns"], offered["node-ns"]);
        Assert.Contains("fly", offered["node-all"]);

        var path = Path.Combine(units, "system.pod");
        await File.WriteAllTextAsync(path, "[Pod]\nImage=example.com/busybox\nExec=/bin/sleep 1000\nStage1=fly\nCount=2\n");
        var started = await Cluster.Cli("start", path);
        Assert.True(started.ExitCode == 0, started.ToString());

        List<JsonElement> running = [];
        var deadline = DateTime.UtcNow + Within;
        while (running.Count < 2)
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting for 2 running fly pods\n{Cluster.Logs}");
            await Task.Delay(250);
            var listed = await Cluster.Cli("list-pods", "--output", "json");
            running = listed.ExitCode != 0 ? [] : [.. JsonDocument.Parse(listed.Stdout).RootElement.EnumerateArray()
                .Where(p => p.GetProperty("unitName").GetString() == "system.pod" && p.GetProperty("phase").GetString() == "running")];
        }

        Assert.All(running, p => Assert.Equal("node-all", p.GetProperty("nodeName").GetString()));
    }
}
