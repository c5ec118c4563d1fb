namespace FleetPods.EndToEnd.Tests;

/// <summary>
/// Real fleetpodsd processes in cluster mode on a database of their own on this machine's PostgreSQL (or one the
/// caller gives), each with its own data directory and ports, every one holding the busybox image.
/// </summary>
public sealed class DaemonCluster : IAsyncDisposable
{
    // Null when the caller owns the database (StartOn).
    private readonly PostgresTestDatabase? database;

    private DaemonCluster(PostgresTestDatabase? database) => this.database = database;

    public IReadOnlyList<FleetPodsDaemon> Nodes { get; private set; } = [];

    /// <summary>The CLI's --endpoint options for every node, as a user of the cluster would give them.</summary>
    public IEnumerable<string> Endpoints => Nodes.SelectMany(n => new[] { "--endpoint", n.Endpoint });

    public static Task<DaemonCluster> Start(BusyboxImage image, params string[] nodeNames) =>
        Start(image, new Dictionary<string, string[]>(), nodeNames);

    /// <param name="options">More fleetpodsd options of the nodes named (e.g. <c>--stage1 ns</c>).</param>
    public static async Task<DaemonCluster> Start(BusyboxImage image, IReadOnlyDictionary<string, string[]> options, params string[] nodeNames)
    {
        var database = new PostgresTestDatabase();
        await database.InitializeAsync();
        return await Start(new DaemonCluster(database), database.ConnectionString, image, options, nodeNames);
    }

    /// <summary>A cluster on a database the caller made and keeps (e.g. on a PostgreSQL server of the test's own).</summary>
    public static Task<DaemonCluster> StartOn(string connectionString, BusyboxImage image, params string[] nodeNames) =>
        Start(new DaemonCluster(null), connectionString, image, new Dictionary<string, string[]>(), nodeNames);

    private static async Task<DaemonCluster> Start(DaemonCluster cluster, string connectionString, BusyboxImage image, IReadOnlyDictionary<string, string[]> options, string[] nodeNames)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(options);
        try
        {
            await FleetPodsDaemon.InitDatabase(connectionString);
            cluster.Nodes = [.. nodeNames.Select(n => new FleetPodsDaemon(n, "disk=ssd", connectionString) { Options = options.GetValueOrDefault(n, []) })];
            await Task.WhenAll(cluster.Nodes.Select(n => n.Start()));
            foreach (var node in cluster.Nodes)
            {
                var imported = await cluster.Cli("image", "import", image.Path, "--node", node.NodeName);
                Assert.True(imported.ExitCode == 0, imported.ToString());
            }

            return cluster;
        }
        catch
        {
            // xUnit does not dispose a fixture or test whose start failed; its daemons must not outlive it.
            await cluster.DisposeAsync();
            throw;
        }
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

        if (database is not null)
        {
            await database.DisposeAsync();
        }
    }
}
