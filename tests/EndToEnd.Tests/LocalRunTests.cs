using System.Diagnostics;
using System.Text.Json;

namespace FleetPods.EndToEnd.Tests;

/// <summary>
/// <c>fleetpods run</c> through the local fleetpodsd's socket, the path of the native command, beside the same run
/// through an Orleans gateway by the cluster client. A PATH without dotnet tells the two apart: only the cluster
/// client needs it.
/// </summary>
public sealed class LocalRunTests : IClassFixture<BusyboxImage>, IAsyncLifetime
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(60);
    private static readonly Dictionary<string, string?> NoDotnet = new() { ["PATH"] = "/nonexistent", ["FLEETPODS_ENDPOINT"] = null };
    private readonly BusyboxImage image;
    private readonly FleetPodsDaemon daemon = new();

    public LocalRunTests(BusyboxImage image) => this.image = image;

    private string Endpoint => $"127.0.0.1:{daemon.GatewayPort}";

    public async Task InitializeAsync()
    {
        await daemon.StartWith(image);
    }

    public async Task DisposeAsync() => await daemon.DisposeAsync();

    [RequiresFact(Requires.Root)]
    public async Task Run_on_the_local_node_needs_no_cluster_client_and_ends_as_a_run_through_the_gateway_does()
    {
        string[] run = ["run", BusyboxImage.Name, "--", "/bin/sh", "-c", "echo out; echo err >&2; exit 3"];

        var local = await Processes.Run(RepositoryLayout.Cli, ["--endpoint", Endpoint, .. run], Within, NoDotnet);
        var gateway = await Processes.Run("dotnet", [RepositoryLayout.ClusterClient, "--endpoint", Endpoint, .. run], Within);

        Assert.True(local.ExitCode == 3, local.ToString());
        Assert.Equal((3, "out\nerr\n", ""), (local.ExitCode, local.Stdout, local.Stderr));
        Assert.Equal((3, "out\nerr\n", ""), (gateway.ExitCode, gateway.Stdout, gateway.Stderr));
    }

    [RequiresFact(Requires.Root)]
    public async Task Every_other_command_and_a_run_on_several_gateways_go_to_the_cluster_client()
    {
        var listing = await Processes.Run(RepositoryLayout.Cli, ["--endpoint", Endpoint, "list-machines"], Within, NoDotnet);
        var spread = await Processes.Run(RepositoryLayout.Cli, ["--endpoint", Endpoint, "--endpoint", Endpoint, "run", BusyboxImage.Name], Within, NoDotnet);
        var withDotnet = await daemon.Cli("list-machines");

        Assert.Equal(127, listing.ExitCode);
        Assert.Contains("cannot start the cluster client with dotnet", listing.Stderr, StringComparison.Ordinal);
        Assert.Equal(127, spread.ExitCode);
        Assert.True(withDotnet.ExitCode == 0, withDotnet.ToString());
        Assert.Contains(daemon.NodeName, withDotnet.Stdout, StringComparison.Ordinal);
    }

    [RequiresFact(Requires.Root)]
    public async Task A_bad_flag_is_one_line_that_names_it_and_nothing_runs()
    {
        var result = await Processes.Run(RepositoryLayout.Cli, ["--endpoint", Endpoint, "run", "--memory", "lots", BusyboxImage.Name], Within, NoDotnet);
        var missing = await Processes.Run(RepositoryLayout.Cli, ["--endpoint", Endpoint, "run"], Within, NoDotnet);

        Assert.Equal((1, "fleetpods: --memory 'lots': invalid size 'lots' (expected e.g. 256M)\n"), (result.ExitCode, result.Stderr));
        Assert.Equal(1, missing.ExitCode);
        Assert.StartsWith("fleetpods: run: Required argument missing", missing.Stderr, StringComparison.Ordinal);
        Assert.Empty((await daemon.CliJson("list-pods")).EnumerateArray());
    }

    [RequiresFact(Requires.Root)]
    public async Task Ctrl_c_stops_the_pod_within_its_grace_and_the_command_exits_130()
    {
        using var run = StartRun("trap 'exit 42' TERM; echo ready; while true; do sleep 0.1; done");
        Assert.Equal("ready", await run.StandardOutput.ReadLineAsync().WaitAsync(Within));

        Assert.Equal(0, (await Processes.Run("kill", ["-INT", $"{run.Id}"], Within)).ExitCode);
        await run.WaitForExitAsync().WaitAsync(Within);

        Assert.Equal(130, run.ExitCode);
        var pod = Assert.Single((await daemon.CliJson("list-pods")).EnumerateArray());
        Assert.Equal(("exited", 42), (pod.GetProperty("phase").GetString(), pod.GetProperty("exitCode").GetInt32()));
    }

    [RequiresFact(Requires.Root)]
    public async Task A_run_command_that_is_killed_takes_its_pod_with_it()
    {
        using var run = StartRun("echo ready; exec sleep 1000");
        Assert.Equal("ready", await run.StandardOutput.ReadLineAsync().WaitAsync(Within));

        run.Kill();

        await WaitUntilNoPodRuns();
    }

    [RequiresFact(Requires.Root)]
    public async Task A_run_whose_output_nobody_reads_any_more_stops_its_pod()
    {
        var piped = await Processes.Run("/bin/sh", ["-c", "\"$0\" --endpoint \"$1\" run \"$2\" -- /bin/yes | head -n 2", RepositoryLayout.Cli, Endpoint, BusyboxImage.Name], Within);

        // The pipeline ends only once the run command has ended too.
        Assert.Equal("y\ny\n", piped.Stdout);
        await WaitUntilNoPodRuns();
    }

    private async Task WaitUntilNoPodRuns()
    {
        // A pid 1 without a handler ignores SIGTERM: such a pod ends at the end of its grace.
        var deadline = DateTime.UtcNow + Within;
        JsonElement pod;
        while ((pod = Assert.Single((await daemon.CliJson("list-pods")).EnumerateArray())).GetProperty("phase").GetString() == "running")
        {
            Assert.True(DateTime.UtcNow < deadline, $"the pod outlived its run command: {pod}");
            await Task.Delay(200);
        }
    }

    private Process StartRun(string script) =>
        Processes.StartInterruptible(RepositoryLayout.Cli, ["--endpoint", Endpoint, "run", BusyboxImage.Name, "--", "/bin/sh", "-c", script]);
}
