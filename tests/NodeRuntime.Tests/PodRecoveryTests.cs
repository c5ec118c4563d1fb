using System.Diagnostics;

namespace FleetPods.NodeRuntime.Tests;

/// <summary>Pods outlive the runtime that launched them; a new runtime on the same data directory finds their real state.</summary>
public sealed class PodRecoveryTests(BusyboxAci aci) : IClassFixture<BusyboxAci>
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(20);

    [RequiresFact(Requires.Root)]
    public async Task A_pod_outlives_the_runtime_and_a_new_runtime_finds_it_running_then_sees_it_exit()
    {
        await using var node = await RuntimeHarness.Start(aci);
        using var control = new TestDirectory();

        var request = UntilStopped(node, control, 5);
        await node.Runtime.StartPodAsync(request);

        await node.Restart();
        Assert.True(TestProcesses.IsRunning(node.Processes(request.PodId).App));
        Assert.Contains(node.Image.Digest, await File.ReadAllTextAsync(node.PodFile(request.PodId, "pod.json")), StringComparison.Ordinal);
        var recovered = await node.Runtime.RecoverAsync();

        Assert.Equal(PodPhase.Running, Assert.Single(recovered, c => c.PodId == request.PodId).Phase);
        await File.WriteAllTextAsync(Path.Combine(control.Path, "stop"), "");
        var changes = await node.UntilEnded(request.PodId, Within);
        Assert.Equal((PodPhase.Exited, 5), (changes[^1].Phase, changes[^1].ExitCode));
    }

    [RequiresFact(Requires.Root)]
    public async Task A_pod_that_ended_while_no_runtime_watched_is_recovered_with_its_exit_code()
    {
        await using var node = await RuntimeHarness.Start(aci);
        using var control = new TestDirectory();
        var request = UntilStopped(node, control, 9);
        await node.Runtime.StartPodAsync(request);
        var shim = node.Processes(request.PodId).Shim;
        await node.Runtime.DisposeAsync();
        await File.WriteAllTextAsync(Path.Combine(control.Path, "stop"), "");
        Assert.True(await TestProcesses.Ends(shim, Within));

        await node.Restart();
        var recovered = await node.Runtime.RecoverAsync();

        var pod = Assert.Single(recovered, c => c.PodId == request.PodId);
        Assert.Equal((PodPhase.Exited, 9), (pod.Phase, pod.ExitCode));
    }

    [RequiresFact(Requires.Root)]
    public async Task A_recovered_pod_can_be_stopped_and_removed()
    {
        await using var node = await RuntimeHarness.Start(aci);
        var request = node.Request("/bin/sleep", "1000");
        await node.Runtime.StartPodAsync(request);
        var app = node.Processes(request.PodId).App;

        await node.Restart();
        await node.Runtime.RecoverAsync();
        var end = await node.Runtime.StopPodAsync(request.PodId, TimeSpan.FromMilliseconds(100));
        await node.Runtime.RemovePodAsync(request.PodId);

        Assert.Equal((PodPhase.Exited, 137), (end.Phase, end.ExitCode));
        Assert.False(TestProcesses.IsRunning(app));
        Assert.False(Directory.Exists(node.PodFile(request.PodId, "")));
    }

    [RequiresFact(Requires.Root)]
    public async Task A_pod_whose_record_is_damaged_is_still_found_running_and_stopped_and_removed_with_its_cgroups()
    {
        await using var node = await RuntimeHarness.Start(aci);
        var request = node.Request("/bin/sleep", "1000") with { Network = PodNetworkMode.None };
        await node.Runtime.StartPodAsync(request);
        var app = node.Processes(request.PodId).App;
        var cgroups = TestCgroups.Of(app).Values.Distinct().ToList();
        Assert.NotEmpty(cgroups);
        await node.Restart();
        var record = node.PodFile(request.PodId, "pod.json");
        var whole = await File.ReadAllBytesAsync(record);
        await File.WriteAllBytesAsync(record, whole[..(whole.Length / 2)]);

        var recovered = await node.Runtime.RecoverAsync();
        Assert.Equal(PodPhase.Running, Assert.Single(recovered, c => c.PodId == request.PodId).Phase);
        var end = await node.Runtime.StopPodAsync(request.PodId, TimeSpan.FromMilliseconds(100));
        await node.Runtime.RemovePodAsync(request.PodId);

        Assert.Equal((PodPhase.Exited, 137), (end.Phase, end.ExitCode));
        Assert.False(TestProcesses.IsRunning(app));
        Assert.All(cgroups, c => Assert.False(Directory.Exists(c), $"{c} outlived the pod"));
    }

    [RequiresFact(Requires.Root)]
    public async Task A_pod_dies_with_its_supervisor_and_is_reported_failed()
    {
        await using var node = await RuntimeHarness.Start(aci);
        // As nobody: the kernel forgets the parent-death signal when credentials change, so this checks it is set again.
        var request = node.Request() with { App = new PodAppRequest("app", ["/bin/sleep", "1000"], [], null, "nobody", "nogroup") };
        await node.Runtime.StartPodAsync(request);
        var (shim, app) = node.Processes(request.PodId);

        Process.GetProcessById(shim).Kill();
        var changes = await node.UntilEnded(request.PodId, Within);

        Assert.Equal((PodPhase.Failed, "the pod supervisor exited without recording an exit code"), (changes[^1].Phase, changes[^1].Reason));
        Assert.True(await TestProcesses.Ends(app, Within), "the app outlived its supervisor");
    }

    [RequiresFact(Requires.Root)]
    public async Task A_pid_record_naming_a_process_that_is_not_its_supervisor_is_not_taken_for_a_running_pod()
    {
        await using var node = await RuntimeHarness.Start(aci);
        var podId = RuntimeHarness.NewPodId();
        Directory.CreateDirectory(node.PodFile(podId, ""));
        using var stranger = Process.Start("sleep", "30");
        await File.WriteAllTextAsync(node.PodFile(podId, "pid"), $"{stranger.Id} {stranger.Id}\n");

        await node.Restart();
        var recovered = await node.Runtime.RecoverAsync();
        await node.Runtime.RemovePodAsync(podId);

        var pod = Assert.Single(recovered, c => c.PodId == podId);
        Assert.Equal((PodPhase.Failed, "supervisor lost: it exited without recording an exit code"), (pod.Phase, pod.Reason));
        Assert.True(TestProcesses.IsRunning(stranger.Id), "removing the pod signalled a process that was not its own");
        stranger.Kill();
    }

    [RequiresFact(Requires.Root)]
    public async Task Removing_a_pod_an_earlier_runtime_left_stops_it_without_recovering_first()
    {
        await using var node = await RuntimeHarness.Start(aci);
        var request = node.Request("/bin/sleep", "1000");
        await node.Runtime.StartPodAsync(request);
        var app = node.Processes(request.PodId).App;

        await node.Restart();
        await node.Runtime.RemovePodAsync(request.PodId);

        Assert.False(TestProcesses.IsRunning(app));
        Assert.False(Directory.Exists(node.PodFile(request.PodId, "")));
    }

    [RequiresFact(Requires.Root)]
    public async Task A_pod_whose_tree_vanished_is_forgotten_with_its_cgroups_and_what_was_left_in_them()
    {
        await using var node = await RuntimeHarness.Start(aci);
        var request = node.Request("/bin/sleep", "1000");
        await node.Runtime.StartPodAsync(request);
        var (shim, app) = node.Processes(request.PodId);
        var cgroups = TestCgroups.Of(app);
        await node.Restart();
        Process.GetProcessById(shim).Kill();
        Assert.True(await TestProcesses.Ends(app, Within), "the app outlived its supervisor");
        Directory.Delete(node.PodFile(request.PodId, ""), recursive: true);

        node.Runtime.ForgetLost(request.PodId);

        Assert.All(cgroups.Values, directory => Assert.False(Directory.Exists(directory), $"{directory} outlived the vanished pod"));
    }

    // A pod that runs until the test creates stop in control (its /ctl), however long a restart takes, then exits with code.
    private static PodLaunchRequest UntilStopped(RuntimeHarness node, TestDirectory control, int code)
    {
        var request = node.Request("/bin/sh", "-c", $"while [ ! -e /ctl/stop ]; do sleep 0.05; done; exit {code}") with
        {
            Volumes = [new PodVolume("ctl", PodVolumeKind.Host, control.Path, ReadOnly: true)],
        };
        return request with { App = request.App with { Mounts = [new PodMount("ctl", "/ctl")] } };
    }
}
