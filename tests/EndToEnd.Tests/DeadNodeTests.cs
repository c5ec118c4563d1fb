using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;

namespace FleetPods.EndToEnd.Tests;

/// <summary>
/// A node SIGKILLed out of three real fleetpodsd processes on a real PostgreSQL: every cluster-wide command answers
/// in bounded time with what the live nodes hold, marks the dead one, and never shows a stack trace; gateways that
/// do not answer cost one short attempt.
/// </summary>
[Requires(Requires.Postgres)]
public sealed class DeadNodeTests : IClassFixture<BusyboxImage>
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(60);

    // Generous for a machine shared with other builds: each command is one .NET start, one probe, a few grain calls.
    private static readonly TimeSpan AnswerBound = TimeSpan.FromSeconds(20);

    private static readonly string[][] ClusterCommands =
    [
        ["list-machines"], ["image", "list"], ["image", "gc"], ["gc"], ["list-pods"], ["list-units"],
    ];

    private readonly BusyboxImage image;

    public DeadNodeTests(BusyboxImage image) => this.image = image;

    [RequiresFact(Requires.Root)]
    public async Task Cluster_wide_commands_answer_for_the_live_nodes_and_mark_a_killed_one()
    {
        await using var cluster = await DaemonCluster.Start(image, "node-a", "node-b", "node-c");
        var units = Directory.CreateTempSubdirectory("fleetpods-dead-node-").FullName;
        var unit = Path.Combine(units, "spread.pod");
        // Network=none: the three daemons share this one machine, and with it the default pod network's bridge.
        await File.WriteAllTextAsync(unit, "[Pod]\nImage=example.com/busybox\nExec=/bin/sleep 1000\nNetwork=none\nMemory=64M\nCount=3\n");
        var started = await cluster.Cli("start", unit);
        Directory.Delete(units, recursive: true);
        Assert.True(started.ExitCode == 0, started.ToString());
        await Until(cluster, async () => RunningNodes(await cluster.Cli("list-pods", "--output", "json")).Count == 3, "three running pods");

        var victim = cluster.Nodes[1];
        await victim.Kill();

        // Right after the kill the cluster has not yet declared the node dead: calls that reach it fail. Each command
        // still answers in bounded time, with the live nodes' data or one line saying to try again.
        foreach (var command in ClusterCommands)
        {
            var (result, took) = await Timed(cluster.Cli(command));
            AssertOneLineAtMost(result, command, took);
        }

        await Until(cluster, async () => Machine(await cluster.Cli("list-machines", "--output", "json"), victim.NodeName)?.GetProperty("status").GetString() == "down",
            "list-machines to show the killed node down");

        foreach (var command in ClusterCommands)
        {
            var (result, took) = await Timed(cluster.Cli([.. command, "--output", "json"]));
            AssertOneLineAtMost(result, command, took);
            Assert.True(result.ExitCode == 0, $"{string.Join(' ', command)} with node-b down: {result}");
        }

        // list-machines: the dead node with its last announcement, the live ones up.
        var machines = await cluster.Cli("list-machines", "--output", "json");
        Assert.Equal($"127.0.0.1:{victim.GatewayPort}", Machine(machines, victim.NodeName)!.Value.GetProperty("address").GetString());
        Assert.Equal("up", Machine(machines, "node-a")!.Value.GetProperty("status").GetString());
        Assert.Equal("up", Machine(machines, "node-c")!.Value.GetProperty("status").GetString());
        var table = await cluster.Cli("list-machines");
        Assert.Matches(@"(?m)^node-b\s+down\s+127\.0\.0\.1:", table.Stdout);

        // image list, image gc, gc: the live nodes' answers, the dead node named on stderr and in JSON.
        var images = await cluster.Cli("image", "list", "--output", "json");
        var listed = JsonDocument.Parse(images.Stdout).RootElement;
        Assert.Equal(["node-a", "node-c"], listed.GetProperty("images").EnumerateArray().Select(i => i.GetProperty("node").GetString()).Distinct().Order());
        AssertSkipped(listed, victim.NodeName);
        Assert.Equal("fleetpods: node node-b is down; its images are not listed", images.Stderr.Trim());
        foreach (var command in new[] { new[] { "image", "gc" }, ["gc"] })
        {
            var collected = await cluster.Cli([.. command, "--output", "json"]);
            AssertSkipped(JsonDocument.Parse(collected.Stdout).RootElement, victim.NodeName);
            Assert.StartsWith("fleetpods: node node-b is down;", collected.Stderr.Trim(), StringComparison.Ordinal);
        }

        // list-pods: the pods run on the live nodes (the dead node's was placed again).
        await Until(cluster, async () => RunningNodes(await cluster.Cli("list-pods", "--output", "json")) is { Count: 3 } nodes && !nodes.Contains(victim.NodeName),
            "three running pods off the killed node");

        // A node named with --node that is down is the command's own failure: one line, exit 1.
        var named = await cluster.Cli("image", "list", "--node", victim.NodeName);
        Assert.Equal(1, named.ExitCode);
        Assert.Equal($"fleetpods: node '{victim.NodeName}' is not in the cluster", Assert.Single(Lines(named.Stderr)));
    }

    [RequiresFact(Requires.Root)]
    public async Task A_gateway_that_does_not_answer_costs_one_short_attempt_and_only_such_gateways_give_one_line()
    {
        await using var daemon = new FleetPodsDaemon("e2e-dead-endpoints");
        await daemon.Start();
        using var blackHole = BlackHole();
        using var closed = new ClosedPort();
        string[] unreachable = ["--endpoint", $"127.0.0.1:{((IPEndPoint)blackHole.LocalEndPoint!).Port}", "--endpoint", $"127.0.0.1:{closed.Port}"];
        string[] live = ["--endpoint", daemon.Endpoint];

        var (baseline, baselineTook) = await Timed(Processes.Run(RepositoryLayout.Cli, [.. live, "list-pods"], Within));
        var (mixed, mixedTook) = await Timed(Processes.Run(RepositoryLayout.Cli, [.. unreachable, .. live, "list-pods"], Within));
        var (none, noneTook) = await Timed(Processes.Run(RepositoryLayout.Cli, [.. unreachable, "list-pods"], Within));

        Assert.True(baseline.ExitCode == 0, baseline.ToString());
        Assert.True(mixed.ExitCode == 0, mixed.ToString());
        Assert.True(mixedTook < baselineTook + TimeSpan.FromSeconds(3), $"with two gateways that do not answer: {mixedTook}, without: {baselineTook}");
        Assert.Equal(1, none.ExitCode);
        Assert.StartsWith("fleetpods: cannot reach fleetpodsd at 127.0.0.1:", Assert.Single(Lines(none.Stderr)), StringComparison.Ordinal);
        Assert.True(noneTook < baselineTook + TimeSpan.FromSeconds(3), $"with only gateways that do not answer: {noneTook}, a live one: {baselineTook}");
    }

    // A listening socket whose accept queue is full: the kernel drops further connection attempts, as a machine cut off does.
    private static Socket BlackHole()
    {
        var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(0);
        var filler = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        filler.Connect(listener.LocalEndPoint!);
        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        Assert.False(probe.ConnectAsync(listener.LocalEndPoint!).Wait(TimeSpan.FromMilliseconds(500)), "the full listener drops connection attempts");
        return listener;
    }

    private static async Task<(CommandResult Result, TimeSpan Took)> Timed(Task<CommandResult> command)
    {
        var clock = Stopwatch.StartNew();
        var result = await command;
        return (result, clock.Elapsed);
    }

    private static void AssertOneLineAtMost(CommandResult result, string[] command, TimeSpan took)
    {
        var what = $"{string.Join(' ', command)} ({took.TotalSeconds:0.0} s): {result}";
        Assert.True(took < AnswerBound, what);
        Assert.True(result.ExitCode is 0 or 1, what);
        Assert.DoesNotContain("Exception", result.Stdout + result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Stdout + result.Stderr, StringComparison.Ordinal);
        if (result.ExitCode == 1)
        {
            Assert.True(Lines(result.Stderr).Length == 1, what);
        }
    }

    private static void AssertSkipped(JsonElement answer, string node)
    {
        var skipped = Assert.Single(answer.GetProperty("skipped").EnumerateArray());
        Assert.Equal(node, skipped.GetProperty("node").GetString());
        Assert.Equal("down", skipped.GetProperty("status").GetString());
    }

    private static JsonElement? Machine(CommandResult listing, string node) =>
        listing.ExitCode == 0 ? JsonDocument.Parse(listing.Stdout).RootElement.EnumerateArray().Cast<JsonElement?>().FirstOrDefault(m => m!.Value.GetProperty("name").GetString() == node) : null;

    private static List<string> RunningNodes(CommandResult listing) => listing.ExitCode != 0 ? [] :
        [.. JsonDocument.Parse(listing.Stdout).RootElement.EnumerateArray()
            .Where(p => p.GetProperty("unitName").GetString() == "spread.pod" && p.GetProperty("phase").GetString() == "running")
            .Select(p => p.GetProperty("nodeName").GetString()!)];

    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    private static async Task Until(DaemonCluster cluster, Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow + Within;
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting for {what}\n{cluster.Logs}");
            await Task.Delay(250);
        }
    }
}
