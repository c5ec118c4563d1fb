namespace FleetPods.EndToEnd.Tests;

/// <summary>
/// Real fleetpodsd processes in cluster mode on a database of their own on this machine's PostgreSQL, each with
/// its own data directory and ports, every one holding the busybox image.
/// </summary>
public sealed class DaemonCluster : IAsyncDisposable
{
    private readonly PostgresTestDatabase database = new();

    private DaemonCluster()
    {
    }

    public IReadOnlyList<FleetPodsDaemon> Nodes { get; private set; } = [];

    /// <summary>The CLI's --endpoint options for every node, as a user of the cluster would give them.</summary>
    public IEnumerable<string> Endpoints => Nodes.SelectMany(n => new[] { "--endpoint", n.Endpoint });

    public static Task<DaemonCluster> Start(BusyboxImage image, params string[] nodeNames) =>
        Start(image, new Dictionary<string, string[]>(), nodeNames);

    /// <param name="options">More fleetpodsd options of the nodes named (e.g. <c>--stage1 ns</c>).</param>
    public static async Task<DaemonCluster> Start(BusyboxImage image, IReadOnlyDictionary<string, string[]> options, params string[] nodeNames)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(options);
        var cluster = new DaemonCluster();
        await cluster.database.InitializeAsync();
        var init = await Processes.Run("dotnet", [RepositoryLayout.Daemon, "--init-db", "--cluster", cluster.database.ConnectionString], TimeSpan.FromSeconds(60));
        Assert.True(init.ExitCode == 0, init.ToString());
        cluster.Nodes = [.. nodeNames.Select(n => new FleetPodsDaemon(n, "disk=ssd", cluster.database.ConnectionString) { Options = options.GetValueOrDefault(n, []) })];
        await Task.WhenAll(cluster.Nodes.Select(n => n.Start()));
        foreach (var node in cluster.Nodes)
        {
            var imported = await cluster.Cli("image", "import", image.Path, "--node", node.NodeName);
            Assert.True(imported.ExitCode == 0, imported.ToString());
        }

        return cluster;
    }

    /// <summary>The CLI with every node's gateway given.</summary>
    public Task<CommandResult> Cli(params string[] arguments) =>
        Processes.Run(RepositoryLayout.Cli, [.. Endpoints, .. arguments], TimeSpan.FromSeconds(90));

    /// <summary>Every node's log, for a failing assertion's message.</summary>
    public string Logs => string.Join("\n", Nodes.Select(n => $"--- {n.NodeName}\n{n.Log}"));

    public async ValueTask DisposeAsync()
    {
        foreach (var node in Nodes)
        {
            await node.DisposeAsync();
        }

        await database.DisposeAsync();
    }
}
