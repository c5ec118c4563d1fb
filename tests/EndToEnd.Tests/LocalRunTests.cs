using System.Diagnostics;
using System.Text.Json;

namespace FleetPods.EndToEnd.Tests;

/// <summary>
/// <c>fleetpods run</c> through the local fleetpodsd's API socket: the native command needs no dotnet (a PATH without
/// it proves that), Ctrl-C stops the pod and exits 130, and a run command that goes away takes its pod with it.
/// </summary>
public sealed class LocalRunTests : IClassFixture<BusyboxImage>, IAsyncLifetime
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(60);
    private static readonly Dictionary<string, string?> NoDotnet = new() { ["PATH"] = "/nonexistent", ["FLEETPODS_ADDR"] = null };
    private readonly BusyboxImage image;
    private readonly FleetPodsDaemon daemon = new();

    public LocalRunTests(BusyboxImage image) => this.image = image;

    private string Endpoint => daemon.Endpoint;

    public async Task InitializeAsync()
    {
        await daemon.StartWith(image);
    }

    public async Task DisposeAsync() => await daemon.DisposeAsync();

    [RequiresFact(Requires.Root)]
    public async Task Run_needs_no_dotnet_and_ends_with_the_apps_output_and_code()
    {
        string[] run = ["run", BusyboxImage.Name, "--", "/bin/sh", "-c", "echo out; echo err >&2; exit 3"];

        var local = await Processes.Run(RepositoryLayout.Cli, ["--endpoint", Endpoint, .. run], Within, NoDotnet);

        Assert.Equal((3, "out\nerr\n", ""), (local.ExitCode, local.Stdout, local.Stderr));
    }

    [RequiresFact(Requires.Root)]
    public async Task Every_command_and_a_run_on_several_endpoints_needs_no_dotnet()
    {
        var listing = await Processes.Run(RepositoryLayout.Cli, ["--endpoint", Endpoint, "list-machines"], Within, NoDotnet);
        using var closed = new ClosedPort();
        var spread = await Processes.Run(RepositoryLayout.Cli, ["--endpoint", $"127.0.0.1:{closed.Port}", "--endpoint", Endpoint, "run", BusyboxImage.Name], Within, NoDotnet);

        Assert.True(listing.ExitCode == 0, listing.ToString());
        Assert.Contains(daemon.NodeName, listing.Stdout, StringComparison.Ordinal);
        Assert.Equal((0, "hello from busybox\n"), (spread.ExitCode, spread.Stdout));
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
