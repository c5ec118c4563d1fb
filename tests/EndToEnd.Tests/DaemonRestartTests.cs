namespace FleetPods.EndToEnd.Tests;

/// <summary>State survives a SIGKILL of fleetpodsd, and pods outlive it.</summary>
public sealed class DaemonRestartTests : IClassFixture<BusyboxImage>, IAsyncLifetime
{
    private readonly BusyboxImage image;
    private readonly FleetPodsDaemon daemon = new();
    private readonly string units = Directory.CreateTempSubdirectory("fleetpods-units-").FullName;

    public DaemonRestartTests(BusyboxImage image) => this.image = image;

    public Task InitializeAsync() => daemon.Start();

    public async Task DisposeAsync()
    {
        await daemon.DisposeAsync();
        Directory.Delete(units, recursive: true);
    }

    [Fact]
    public async Task Units_pods_and_images_survive_a_sigkill_and_a_running_pod_keeps_running_then_reports_its_exit()
    {
        Assert.Equal(0, (await daemon.Cli("image", "import", image.Path)).ExitCode);
        var survivor = Path.Combine(units, "survivor.pod");
        await File.WriteAllTextAsync(survivor, "[Pod]\nImage=example.com/busybox\nExec=/bin/sh -c \"sleep 25; exit 7\"\n");
        var quick = Path.Combine(units, "quick.pod");
        await File.WriteAllTextAsync(quick, "[Pod]\nImage=example.com/busybox\nExec=/bin/sh -c \"exit 2\"\n");
        var idle = Path.Combine(units, "idle.pod");
        await File.WriteAllTextAsync(idle, "[Pod]\nImage=example.com/busybox\nExec=/bin/true\n");
        Assert.Equal(0, (await daemon.Cli("start", survivor, quick)).ExitCode);
        Assert.Equal(0, (await daemon.Cli("submit", idle)).ExitCode);
        await daemon.WaitForPhase("survivor.pod", "running", TimeSpan.FromSeconds(30));
        await daemon.WaitForPhase("quick.pod", "exited", TimeSpan.FromSeconds(30));

        await daemon.Kill();
        var podDirectory = Directory.GetDirectories(Path.Combine(daemon.DataDirectory, "pods"))
            .Single(d => File.Exists(Path.Combine(d, "pid")) && !File.Exists(Path.Combine(d, "exit")) && File.ReadAllText(Path.Combine(d, "pod.json")).Contains("sleep 25", StringComparison.Ordinal));
        var appPid = int.Parse(File.ReadAllText(Path.Combine(podDirectory, "pid")).Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(Directory.Exists($"/proc/{appPid}"), "the pod died with its daemon");
        await daemon.Start();

        var unitFiles = (await daemon.CliJson("list-unit-files")).EnumerateArray().Select(u => u.GetProperty("name").GetString()).ToList();
        Assert.Equal(["idle.pod", "quick.pod", "survivor.pod"], unitFiles.Order());
        var images = await daemon.CliJson("image", "list");
        Assert.Equal(BusyboxImage.Name, Assert.Single(images.EnumerateArray()).GetProperty("name").GetString());
        Assert.Equal(2, (await daemon.PodOf("quick.pod")).GetProperty("exitCode").GetInt32());
        Assert.Equal("running", (await daemon.PodOf("survivor.pod")).GetProperty("phase").GetString());
        var exited = await daemon.WaitForPhase("survivor.pod", "exited", TimeSpan.FromSeconds(60));
        Assert.Equal(7, exited.GetProperty("exitCode").GetInt32());
    }

    [Fact]
    public async Task A_pod_that_ends_while_the_daemon_is_down_is_reported_with_its_real_exit_code()
    {
        Assert.Equal(0, (await daemon.Cli("image", "import", image.Path)).ExitCode);
        var unit = Path.Combine(units, "brief.pod");
        await File.WriteAllTextAsync(unit, "[Pod]\nImage=example.com/busybox\nExec=/bin/sh -c \"sleep 6; exit 9\"\n");
        Assert.Equal(0, (await daemon.Cli("start", unit)).ExitCode);
        await daemon.WaitForPhase("brief.pod", "running", TimeSpan.FromSeconds(30));

        await daemon.Kill();
        await Task.Delay(TimeSpan.FromSeconds(8));
        await daemon.Start();

        var pod = await daemon.WaitForPhase("brief.pod", "exited", TimeSpan.FromSeconds(20));
        Assert.Equal(9, pod.GetProperty("exitCode").GetInt32());
    }

    [Fact]
    public async Task A_pod_whose_tree_vanished_while_the_daemon_was_down_is_reported_lost()
    {
        Assert.Equal(0, (await daemon.Cli("image", "import", image.Path)).ExitCode);
        var unit = Path.Combine(units, "vanished.pod");
        await File.WriteAllTextAsync(unit, "[Pod]\nImage=example.com/busybox\nExec=/bin/sleep 600\n");
        Assert.Equal(0, (await daemon.Cli("start", unit)).ExitCode);
        var running = await daemon.WaitForPhase("vanished.pod", "running", TimeSpan.FromSeconds(30));
        var podDirectory = Path.Combine(daemon.DataDirectory, "pods", running.GetProperty("id").GetString()!);
        var shim = File.ReadAllText(Path.Combine(podDirectory, "pid")).Split(' ')[0];

        await daemon.Kill();
        await Processes.Run("kill", ["-KILL", shim], TimeSpan.FromSeconds(10));
        await Task.Delay(500);
        Directory.Delete(podDirectory, recursive: true);
        await daemon.Start();

        var lost = await daemon.WaitForPhase("vanished.pod", "failed", TimeSpan.FromSeconds(20));
        Assert.StartsWith("lost: not found on node", lost.GetProperty("reason").GetString(), StringComparison.Ordinal);
    }
}
