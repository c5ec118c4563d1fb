using System.Diagnostics;
using System.Text.Json;

namespace FleetPods.EndToEnd.Tests;

/// <summary>A real fleetpodsd process on its own data directory and ports; it can be SIGKILLed and started again.</summary>
public sealed class FleetPodsDaemon : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private Process? process;
    private int starts;

    /// <summary>Applies the cluster's schema to a fresh database, as an operator does once: <c>fleetpodsd --init-db</c>.</summary>
    public static async Task InitDatabase(string connectionString)
    {
        var init = await Processes.Run("dotnet", [RepositoryLayout.Daemon, "--init-db", "--cluster", connectionString], StartTimeout);
        Assert.True(init.ExitCode == 0, init.ToString());
    }

    /// <param name="metadata">The node's --metadata.</param>
    /// <param name="cluster">A PostgreSQL connection string for cluster mode, or null for the embedded default.</param>
    public FleetPodsDaemon(string nodeName = "e2e-node", string metadata = "role=e2e", string? cluster = null)
    {
        NodeName = nodeName;
        Metadata = metadata;
        Cluster = cluster;
        DataDirectory = Directory.CreateTempSubdirectory("fleetpods-e2e-").FullName;
        SiloPort = TestPorts.Reserve();
        GatewayPort = TestPorts.Reserve();
        ApiPort = TestPorts.Reserve();
    }

    public string NodeName { get; }

    public string Metadata { get; }

    public string? Cluster { get; }

    public string DataDirectory { get; }

    public int SiloPort { get; }

    public int GatewayPort { get; }

    /// <summary>The HTTP API's port: its socket is /run/fleetpods/api-PORT.sock, where the CLI reaches this daemon.</summary>
    public int ApiPort { get; }

    /// <summary>This daemon's API as the CLI's --endpoint names it.</summary>
    public string Endpoint => $"127.0.0.1:{ApiPort}";

    /// <summary>
    /// The daemon's --pki-dir: by default the tests' shared CA directory for a single machine, a directory of the
    /// node's own (its certificate made with <c>fleetpods cert</c>) in cluster mode.
    /// </summary>
    public string? PkiDirectory { get; set; }

    /// <summary><c>--server</c> (with <see cref="Cluster"/>): a silo of the cluster's grains that runs no pods.</summary>
    public bool Server { get; init; }

    /// <summary><c>--agent --servers</c> these gateways (no <see cref="Cluster"/>): an Orleans client of the servers that runs pods.</summary>
    public string? Servers { get; init; }

    /// <summary>The process's id while it runs (the dotnet process: the shell that started it exec'd it).</summary>
    public int ProcessId => process!.Id;

    /// <summary>More fleetpodsd options, given after the ones every test daemon has (e.g. <c>--stage1 ns</c>).</summary>
    public IReadOnlyList<string> Options { get; init; } = [];

    public string LogPath => Path.Combine(DataDirectory, $"fleetpodsd-{starts}.log");

    public string Log => File.Exists(LogPath) ? File.ReadAllText(LogPath) : "";

    public async Task Start()
    {
        starts++;
        var pki = await TestPki.Shared;
        PkiDirectory ??= Cluster is null && Servers is null ? pki.Directory.Path : await pki.NodeDirectory(NodeName, Path.Combine(DataDirectory, "pki"));
        // The daemon's output goes to a file, not a pipe of ours, so nothing it leaves behind holds our pipes open.
        var start = new ProcessStartInfo("/bin/sh") { ArgumentList = { "-c", "exec \"$@\" >\"$0\" 2>&1", LogPath, "dotnet", RepositoryLayout.Daemon,
            "--data-dir", DataDirectory, "--node-name", NodeName, "--api-port", $"{ApiPort}", "--pki-dir", PkiDirectory } };
        IEnumerable<string> mode = Servers is not null ? ["--agent", "--servers", Servers, "--advertised-address", "127.0.0.1"]
            : [.. Server ? new[] { "--server" } : [], "--silo-port", $"{SiloPort}", "--gateway-port", $"{GatewayPort}"];
        IEnumerable<string> machine = Server ? [] : ["--metadata", Metadata];
        foreach (var argument in mode.Concat(machine).Concat(Cluster is null ? [] : new[] { "--cluster", Cluster, "--advertised-address", "127.0.0.1" }).Concat(Options))
        {
            start.ArgumentList.Add(argument);
        }

        process = Process.Start(start)!;
        var deadline = DateTime.UtcNow + StartTimeout;
        var ready = Server ? $"Server {NodeName} ready" : $"Node {NodeName} ready";
        while (!Log.Contains(ready, StringComparison.Ordinal))
        {
            if (process.HasExited || DateTime.UtcNow > deadline)
            {
                throw new InvalidOperationException($"fleetpodsd did not become ready:\n{Log}");
            }

            await Task.Delay(100);
        }
    }

    /// <summary>Starts the daemon and imports <paramref name="image"/> into its store.</summary>
    public async Task StartWith(BusyboxImage image)
    {
        ArgumentNullException.ThrowIfNull(image);
        await Start();
        var imported = await Cli("image", "import", image.Path);
        Assert.True(imported.ExitCode == 0, imported.ToString());
    }

    public async Task Kill()
    {
        process!.Kill();
        await process.WaitForExitAsync();
    }

    public Task<CommandResult> Cli(params string[] arguments) =>
        Processes.Run(RepositoryLayout.Cli, ["--endpoint", Endpoint, .. arguments], TimeSpan.FromSeconds(90));

    /// <summary>The CLI reading <paramref name="input"/> on its stdin, a pipe, as in <c>echo … | fleetpods run -i …</c>.</summary>
    public Task<CommandResult> CliWithInput(string input, params string[] arguments) =>
        Processes.Run(RepositoryLayout.Cli, ["--endpoint", Endpoint, .. arguments], TimeSpan.FromSeconds(90), input: input);

    public async Task<JsonElement> CliJson(params string[] arguments)
    {
        var result = await Cli([.. arguments, "--output", "json"]);
        Assert.True(result.ExitCode == 0, result.ToString());
        return JsonDocument.Parse(result.Stdout).RootElement;
    }

    /// <summary>The pod of <paramref name="unit"/> as list-pods shows it.</summary>
    public async Task<JsonElement> PodOf(string unit) =>
        (await CliJson("list-pods")).EnumerateArray().Single(p => p.GetProperty("unitName").GetString() == unit);

    /// <summary>Polls list-pods until the pod of <paramref name="unit"/> is in <paramref name="phase"/>.</summary>
    public async Task<JsonElement> WaitForPhase(string unit, string phase, TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        while (true)
        {
            var pod = await PodOf(unit);
            if (pod.GetProperty("phase").GetString() == phase)
            {
                return pod;
            }

            Assert.True(DateTime.UtcNow < deadline, $"pod of {unit} never became {phase}: {pod}\n{Log}");
            await Task.Delay(200);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (process is { HasExited: false })
        {
            await Kill();
        }

        // A killed daemon leaves its API socket; the next daemon on that port clears it, but a test that expects no
        // daemon on a free port would find it.
        File.Delete($"/run/fleetpods/api-{ApiPort}.sock");

        // Pods outlive the daemon by design; a test's pods must not outlive the test.
        await Processes.Run("/bin/sh", ["-c", "pkill -KILL -f -- \"$0\" || true", DataDirectory], TimeSpan.FromSeconds(10));
        // Killed pods never gave back their cgroups (empty now; rmdir refuses any other).
        // They die a moment after their supervisors (parent-death signal), so this tries for up to 3 s.
        const string RemoveCgroups = """
            for _ in $(seq 1 30); do
                left=0
                for d in "$0"/pods/*/; do
                    for c in /sys/fs/cgroup/*/fleetpods/"$(basename "$d")"; do
                        [ -d "$c" ] && { rmdir "$c" 2>/dev/null || left=1; }
                    done
                done
                [ "$left" = 0 ] && break
                sleep 0.1
            done
            true
            """;
        await Processes.Run("/bin/sh", ["-c", RemoveCgroups, DataDirectory], TimeSpan.FromSeconds(30));
        await Processes.Run("/bin/sh", ["-c", "grep -F \" $0/\" /proc/mounts | cut -d' ' -f2 | sort -r | xargs -r -n1 umount -l; rm -rf \"$0\"", DataDirectory], TimeSpan.FromSeconds(30));
    }
}
