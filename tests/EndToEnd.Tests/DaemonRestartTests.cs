using System.Globalization;
using System.Text.Json;

namespace FleetPods.EndToEnd.Tests;

/// <summary>State survives a SIGKILL of fleetpodsd, and pods outlive it.</summary>
public sealed class DaemonRestartTests : IClassFixture<BusyboxImage>, IAsyncLifetime
{
    // A deadline, not a bet: generous, since the suite runs beside kvm VMs under TCG.
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(90);
    private readonly BusyboxImage image;
    private readonly FleetPodsDaemon daemon = new();
    private readonly string units = Directory.CreateTempSubdirectory("fleetpods-units-").FullName;
    private readonly ControlDirectory control = new();

    public DaemonRestartTests(BusyboxImage image) => this.image = image;

    public async Task InitializeAsync()
    {
        await daemon.StartWith(image);
    }

    public async Task DisposeAsync()
    {
        await daemon.DisposeAsync();
        Directory.Delete(units, recursive: true);
        control.Dispose();
    }

    private string WriteUnit(string name, string exec)
    {
        var path = Path.Combine(units, name);
        File.WriteAllText(path, $"[Pod]\nImage=example.com/busybox\nExec={exec}\nVolume=ctl,kind=host,source={control.Path}\nMount=volume=ctl,target=/ctl\n");
        return path;
    }

    // Runs until the test says stop, however long the daemon takes to come back, then exits with code.
    private static string UntilStopped(int code) => $"/bin/sh -c \"while [ ! -e /ctl/stop ]; do sleep 0.05; done; exit {code}\"";

    private async Task<JsonElement> StartRunning(string name, string exec)
    {
        Assert.Equal(0, (await daemon.Cli("start", WriteUnit(name, exec))).ExitCode);
        return await daemon.WaitForPhase(name, "running", Within);
    }

    private string PodDirectory(JsonElement pod) => Path.Combine(daemon.DataDirectory, "pods", pod.GetProperty("id").GetString()!);

    // The pod's "pid" record holds "<supervisor pid> <app pid>".
    private int RecordedPid(JsonElement pod, int field) =>
        int.Parse(File.ReadAllText(Path.Combine(PodDirectory(pod), "pid")).Split(' ')[field], CultureInfo.InvariantCulture);

    [RequiresFact(Requires.Root)]
    public async Task Units_pods_and_images_survive_a_sigkill_and_a_running_pod_keeps_running_then_reports_its_exit()
    {
        var survivor = await StartRunning("survivor.pod", UntilStopped(7));
        Assert.Equal(0, (await daemon.Cli("start", WriteUnit("quick.pod", "/bin/sh -c \"exit 2\""))).ExitCode);
        Assert.Equal(0, (await daemon.Cli("submit", WriteUnit("idle.pod", "/bin/true"))).ExitCode);
        await daemon.WaitForPhase("quick.pod", "exited", Within);

        await daemon.Kill();
        Assert.True(Directory.Exists($"/proc/{RecordedPid(survivor, 1)}"), "the pod died with its daemon");
        await daemon.Start();

        var unitFiles = (await daemon.CliJson("list-unit-files")).EnumerateArray().Select(u => u.GetProperty("name").GetString()).ToList();
        Assert.Equal(["idle.pod", "quick.pod", "survivor.pod"], unitFiles.Order());
        var images = await daemon.CliJson("image", "list");
        Assert.Equal(BusyboxImage.Name, Assert.Single(images.GetProperty("images").EnumerateArray()).GetProperty("name").GetString());
        Assert.Equal(2, (await daemon.PodOf("quick.pod")).GetProperty("exitCode").GetInt32());
        Assert.Equal("running", (await daemon.PodOf("survivor.pod")).GetProperty("phase").GetString());
        control.TellPodsToStop();
        var exited = await daemon.WaitForPhase("survivor.pod", "exited", Within);
        Assert.Equal(7, exited.GetProperty("exitCode").GetInt32());
    }

    [RequiresFact(Requires.Root)]
    public async Task A_pod_that_ends_while_the_daemon_is_down_is_reported_with_its_real_exit_code()
    {
        var brief = await StartRunning("brief.pod", UntilStopped(9));

        await daemon.Kill();
        control.TellPodsToStop();
        await Processes.WaitUntilGone(RecordedPid(brief, 0), Within);
        Assert.Equal("9", File.ReadAllText(Path.Combine(PodDirectory(brief), "exit")).Trim());
        await daemon.Start();

        var pod = await daemon.WaitForPhase("brief.pod", "exited", Within);
        Assert.Equal(9, pod.GetProperty("exitCode").GetInt32());
    }

    [RequiresFact(Requires.Root)]
    public async Task A_pod_whose_tree_vanished_while_the_daemon_was_down_is_lost_and_its_unit_runs_a_new_one()
    {
        var running = await StartRunning("vanished.pod", UntilStopped(0));
        var lostId = running.GetProperty("id").GetString();
        var supervisor = RecordedPid(running, 0);
        var app = RecordedPid(running, 1);

        await daemon.Kill();
        await Processes.Run("kill", ["-KILL", supervisor.ToString(CultureInfo.InvariantCulture)], TimeSpan.FromSeconds(10));
        await Processes.WaitUntilGone(supervisor, Within);
        await Processes.WaitUntilGone(app, Within);
        Directory.Delete(PodDirectory(running), recursive: true);
        await daemon.Start();

        // The node says it does not run the pod: it is lost, and its unit replaces it (as a pod of a node that left).
        var replacement = await daemon.WaitForPhase("vanished.pod", "running", Within);
        Assert.NotEqual(lostId, replacement.GetProperty("id").GetString());
        Assert.DoesNotContain((await daemon.CliJson("list-pods")).EnumerateArray(), p => p.GetProperty("id").GetString() == lostId);
        Assert.True(Directory.Exists($"/proc/{RecordedPid(replacement, 1)}"), "the replacement pod is listed running but its app is not");
    }
}
