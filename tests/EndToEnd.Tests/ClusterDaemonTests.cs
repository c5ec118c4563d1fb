using System.Globalization;
using System.Text.Json;

namespace FleetPods.EndToEnd.Tests;

/// <summary>
/// Three real fleetpodsd processes in cluster mode on a real PostgreSQL (one machine, own data directories
/// and ports): pods spread, Conflicts= keeps units apart, a global unit runs on every node, a SIGKILLed
/// node's pods run elsewhere, and the node, started again, stops the pods that were moved away; a node pulls every
/// app's image of a pod from the nodes that hold them.
/// </summary>
[Requires(Requires.Postgres)]
public sealed class ClusterDaemonTests : IClassFixture<BusyboxImage>, IAsyncLifetime
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(60);
    private static readonly string[] NodeNames = ["node-a", "node-b", "node-c"];
    private readonly BusyboxImage image;
    private readonly string units = Directory.CreateTempSubdirectory("fleetpods-cluster-units-").FullName;
    private DaemonCluster? cluster;

    public ClusterDaemonTests(BusyboxImage image) => this.image = image;

    private IReadOnlyList<FleetPodsDaemon> Nodes => cluster!.Nodes;

    public async Task InitializeAsync() => cluster = await DaemonCluster.Start(image, NodeNames);

    public async Task DisposeAsync()
    {
        if (cluster is not null)
        {
            await cluster.DisposeAsync();
        }

        Directory.Delete(units, recursive: true);
    }

    [RequiresFact(Requires.Root)]
    public async Task Pods_spread_conflicts_keep_apart_a_global_unit_runs_everywhere_and_a_killed_nodes_pods_move_and_stay_moved()
    {
        await StartUnit("spread.pod", "Memory=64M\nCount=3");
        await StartUnit("apart-1.pod", "", "Conflicts=apart-*.pod");
        await StartUnit("apart-2.pod", "", "Conflicts=apart-*.pod");
        await StartUnit("everywhere.pod", "", "Global=true");

        var spread = await RunningPods("spread.pod", 3);
        var apart = (await RunningPods("apart-1.pod", 1)).Concat(await RunningPods("apart-2.pod", 1)).ToList();
        var everywhere = await RunningPods("everywhere.pod", 3);
        Assert.Equal(3, spread.Select(NodeOf).Distinct().Count());
        var listed = await Cli("list-units");
        Assert.True(listed.ExitCode == 0, listed.ToString());
        Assert.Equal(["spread.pod", "launched", "3/3", "running", string.Join(",", NodeNames)],
            listed.Stdout.Split('\n').Single(l => l.StartsWith("spread.pod ", StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries));
        Assert.NotEqual(NodeOf(apart[0]), NodeOf(apart[1]));
        Assert.Equal(NodeNames, everywhere.Select(NodeOf).Order());

        // node-b is SIGKILLed; its pods (their supervisors outlive it) are lost to the cluster and run elsewhere.
        var victim = Nodes[1];
        var stranded = (await AllPods()).Where(p => NodeOf(p) == victim.NodeName && p.GetProperty("phase").GetString() == "running")
            .Select(p => (Id: p.GetProperty("id").GetString()!, AppPid: AppPid(victim, p))).ToList();
        await victim.Kill();
        var moved = await RunningPods("spread.pod", 3, p => NodeOf(p) != victim.NodeName);
        await RunningPods("everywhere.pod", 2, p => NodeOf(p) != victim.NodeName);
        Assert.Equal(3, moved.Count);
        Assert.All(stranded, pod => Assert.True(Directory.Exists($"/proc/{pod.AppPid}"), "a stranded pod keeps running while its node is away"));

        // Back again, node-b stops what was moved off it, and the global unit runs there again.
        await victim.Start();
        await RunningPods("everywhere.pod", 3);
        await Until(() => stranded.All(pod => !Directory.Exists($"/proc/{pod.AppPid}")), "the stranded pods stopped on the returning node", victim);
        Assert.Contains("stale pods stopped", victim.Log, StringComparison.Ordinal);
        Assert.Equal(3, (await RunningPods("spread.pod", 3)).Count);
    }

    [RequiresFact(Requires.Root)]
    public async Task A_node_that_lacks_its_pods_images_pulls_each_apps_image_from_the_node_that_holds_it()
    {
        // The [Pod] app's image is held by node-a only, the sidecar's by node-b only; the pod must run on node-c.
        foreach (var (name, holder) in new[] { ("pulled", "node-a"), ("sidecar", "node-b") })
        {
            var archive = Path.Combine(units, $"{name}.aci");
            var made = await Processes.Run(RepositoryLayout.Script("deploy/examples/make-busybox-aci.sh"), [archive, $"example.com/{name}"], TimeSpan.FromSeconds(60));
            Assert.True(made.ExitCode == 0, made.ToString());
            var imported = await Cli("image", "import", archive, "--node", holder);
            Assert.True(imported.ExitCode == 0, imported.ToString());
        }

        var path = Path.Combine(units, "pulled.pod");
        await File.WriteAllTextAsync(path, "[Pod]\nImage=example.com/pulled\nExec=/bin/sleep 1000\nNetwork=none\n"
            + "[App side]\nImage=example.com/sidecar\nExec=/bin/sleep 1000\n[X-Fleet]\nMachineID=node-c\n");

        var started = await Cli("start", path);

        Assert.True(started.ExitCode == 0, started.ToString());
        Assert.Equal("node-c", NodeOf(Assert.Single(await RunningPods("pulled.pod", 1))));
        var held = await Cli("image", "list", "--node", "node-c", "--output", "json");
        var names = JsonDocument.Parse(held.Stdout).RootElement.GetProperty("images").EnumerateArray().Select(i => i.GetProperty("name").GetString()).ToList();
        Assert.Contains("example.com/pulled", names);
        Assert.Contains("example.com/sidecar", names);
        Assert.Contains("Pulling image example.com/pulled", Nodes[2].Log, StringComparison.Ordinal);
        Assert.Contains("Pulling image example.com/sidecar", Nodes[2].Log, StringComparison.Ordinal);
    }

    private static string NodeOf(JsonElement pod) => pod.GetProperty("nodeName").GetString() ?? "";

    // The pod's "pid" record holds "<supervisor pid> <app pid>".
    private static int AppPid(FleetPodsDaemon node, JsonElement pod) =>
        int.Parse(File.ReadAllText(Path.Combine(node.DataDirectory, "pods", pod.GetProperty("id").GetString()!, "pid")).Split(' ')[1], CultureInfo.InvariantCulture);

    private async Task StartUnit(string name, string pod, string fleet = "")
    {
        var path = Path.Combine(units, name);
        // Network=none: the three daemons share this one machine, and with it the default pod network's bridge.
        await File.WriteAllTextAsync(path, $"[Pod]\nImage=example.com/busybox\nExec=/bin/sleep 1000\nNetwork=none\n{pod}\n" + (fleet.Length > 0 ? $"[X-Fleet]\n{fleet}\n" : ""));
        var started = await Cli("start", path);
        Assert.True(started.ExitCode == 0, started.ToString());
    }

    // Every gateway is given, as a user of a cluster would; the CLI uses whichever answers.
    private Task<CommandResult> Cli(params string[] arguments) => cluster!.Cli(arguments);

    private async Task<List<JsonElement>> AllPods()
    {
        var result = await Cli("list-pods", "--output", "json");
        Assert.True(result.ExitCode == 0, result.ToString());
        return [.. JsonDocument.Parse(result.Stdout).RootElement.EnumerateArray()];
    }

    // Until the cluster has declared a killed node dead (a few seconds), a call that reaches a grain that lived
    // there fails; a person would try again, and so does this.
    private async Task<List<JsonElement>?> AllPodsIfAnswered()
    {
        var result = await Cli("list-pods", "--output", "json");
        return result.ExitCode == 0 ? [.. JsonDocument.Parse(result.Stdout).RootElement.EnumerateArray()] : null;
    }

    private async Task<List<JsonElement>> RunningPods(string unit, int count, Func<JsonElement, bool>? where = null)
    {
        List<JsonElement> running = [];
        await Until(async () =>
        {
            running = [.. (await AllPodsIfAnswered() ?? []).Where(p => p.GetProperty("unitName").GetString() == unit && p.GetProperty("phase").GetString() == "running" && (where?.Invoke(p) ?? true))];
            return running.Count == count;
        }, $"{count} running pods of {unit}");
        return running;
    }

    private async Task Until(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow + Within;
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting for {what}\n{cluster!.Logs}");
            await Task.Delay(250);
        }
    }

    private static async Task Until(Func<bool> condition, string what, FleetPodsDaemon node)
    {
        var deadline = DateTime.UtcNow + Within;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting for {what}\n{node.Log}");
            await Task.Delay(250);
        }
    }
}
