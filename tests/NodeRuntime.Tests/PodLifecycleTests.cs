using System.Diagnostics;

namespace FleetPods.NodeRuntime.Tests;

/// <summary>Real pods in real namespaces through the runtime, without Orleans.</summary>
public sealed class PodLifecycleTests(BusyboxAci aci) : IClassFixture<BusyboxAci>
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task A_pod_is_pid_1_with_its_own_hostname_and_its_exit_code_is_the_apps()
    {
        await using var node = await RuntimeHarness.Start(aci);
        var request = node.Request("/bin/sh", "-c", "echo $$; hostname; exit 3");

        await node.Runtime.StartPodAsync(request);
        var changes = await node.UntilEnded(request.PodId, Within);

        Assert.Equal([PodPhase.Preparing, PodPhase.Running, PodPhase.Exited], changes.Select(c => c.Phase));
        Assert.Equal(3, changes[^1].ExitCode);
        Assert.Equal($"1\nfleetpods-{request.PodId[..8]}\n", await node.Log(request.PodId));
        Assert.True((await node.Runtime.ReadLogAsync(request.PodId, 0, 1 << 20)).Complete);
    }

    [Fact]
    public async Task The_images_exec_and_environment_are_used_when_the_pod_gives_none()
    {
        await using var node = await RuntimeHarness.Start(aci);
        var request = node.Request();

        await node.Runtime.StartPodAsync(request);
        await node.UntilEnded(request.PodId, Within);

        Assert.Equal("hello from busybox\n", await node.Log(request.PodId));
    }

    [Fact]
    public async Task A_pod_sees_only_its_own_processes_and_its_environment()
    {
        await using var node = await RuntimeHarness.Start(aci);
        var request = node.Request("/bin/sh", "-c", "ls /proc | grep -c '^[0-9]'; echo $IMAGE_GREETING $AC_APP_NAME");

        await node.Runtime.StartPodAsync(request);
        await node.UntilEnded(request.PodId, Within);

        var lines = (await node.Log(request.PodId)).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(int.Parse(lines[0], System.Globalization.CultureInfo.InvariantCulture) <= 3, $"the pod saw {lines[0]} processes");
        Assert.Equal("hello app", lines[1]);
    }

    [Fact]
    public async Task User_and_group_by_name_come_from_the_pods_own_passwd()
    {
        await using var node = await RuntimeHarness.Start(aci);
        var request = node.Request("/bin/sh", "-c", "id -u; id -g") with
        {
            App = new PodAppRequest("app", ["/bin/sh", "-c", "id -u; id -g"], [], "/tmp", "nobody", "nogroup"),
        };

        await node.Runtime.StartPodAsync(request);
        await node.UntilEnded(request.PodId, Within);

        Assert.Equal("65534\n65534\n", await node.Log(request.PodId));
    }

    [Fact]
    public async Task Without_overlay_the_pod_writes_its_own_copy_and_the_image_is_untouched()
    {
        await using var node = await RuntimeHarness.Start(aci);
        var request = node.Request("/bin/sh", "-c", "echo changed > /etc/passwd; cat /etc/passwd") with { Overlay = false };

        await node.Runtime.StartPodAsync(request);
        var changes = await node.UntilEnded(request.PodId, Within);

        Assert.Equal(0, changes[^1].ExitCode);
        Assert.Equal("changed\n", await node.Log(request.PodId));
        Assert.StartsWith("root:", await File.ReadAllTextAsync(Path.Combine(node.Runtime.Images.RootfsOf(node.Image.Digest), "etc/passwd")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_overlay_writes_land_in_the_pods_upper_layer_not_in_the_image()
    {
        await using var node = await RuntimeHarness.Start(aci);
        var request = node.Request("/bin/sh", "-c", "echo mine > /root/note");

        await node.Runtime.StartPodAsync(request);
        await node.UntilEnded(request.PodId, Within);

        Assert.Equal("mine\n", await File.ReadAllTextAsync(Path.Combine(node.DataDirectory, "pods", request.PodId, "upper/root/note")));
        Assert.False(File.Exists(Path.Combine(node.Runtime.Images.RootfsOf(node.Image.Digest), "root/note")));
    }

    [Fact]
    public async Task A_missing_program_fails_the_pod_with_a_reason_that_names_it()
    {
        await using var node = await RuntimeHarness.Start(aci);
        var request = node.Request("/bin/no-such-program");

        var error = await Assert.ThrowsAsync<PodLaunchException>(() => node.Runtime.StartPodAsync(request));
        var changes = await node.UntilEnded(request.PodId, Within);

        Assert.Contains("exec /bin/no-such-program", error.Message, StringComparison.Ordinal);
        Assert.Equal(PodPhase.Failed, changes[^1].Phase);
        Assert.Equal(error.Message, changes[^1].Reason);
    }

    [Theory]
    [InlineData(Stage1Flavor.Kvm, "stage1 'kvm' is not available yet")]
    [InlineData(Stage1Flavor.Fly, "stage1 'fly' is not available yet")]
    public async Task Flavors_not_built_yet_fail_with_a_clear_reason(Stage1Flavor flavor, string reason)
    {
        await using var node = await RuntimeHarness.Start(aci);
        var request = node.Request("/bin/true") with { Stage1 = flavor };

        var error = await Assert.ThrowsAsync<PodLaunchException>(() => node.Runtime.StartPodAsync(request));

        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Stop_sends_sigterm_then_sigkill_after_the_grace_period()
    {
        await using var node = await RuntimeHarness.Start(aci);
        var request = node.Request("/bin/sleep", "1000");
        await node.Runtime.StartPodAsync(request);

        var clock = Stopwatch.StartNew();
        var end = await node.Runtime.StopPodAsync(request.PodId, TimeSpan.FromMilliseconds(500));

        // PID 1 of a namespace ignores a SIGTERM it has no handler for, so the grace runs out and SIGKILL ends it.
        Assert.Equal((PodPhase.Exited, 137), (end.Phase, end.ExitCode));
        Assert.InRange(clock.Elapsed, TimeSpan.FromMilliseconds(450), TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task A_stop_that_overtakes_the_launch_waits_for_it_and_the_pod_does_not_stay_running()
    {
        await using var node = await RuntimeHarness.Start(aci);
        var request = node.Request("/bin/sleep", "1000") with { Overlay = false };

        var launch = node.Runtime.StartPodAsync(request);
        var end = await node.Runtime.StopPodAsync(request.PodId, TimeSpan.FromMilliseconds(200));
        await launch;

        Assert.Equal((PodPhase.Exited, 137), (end.Phase, end.ExitCode));
    }

    [Fact]
    public async Task An_app_that_handles_sigterm_ends_within_the_grace_period_with_its_own_code()
    {
        await using var node = await RuntimeHarness.Start(aci);
        var request = node.Request("/bin/sh", "-c", "trap 'exit 42' TERM; while true; do sleep 0.1; done");
        await node.Runtime.StartPodAsync(request);
        await Task.Delay(300);

        var end = await node.Runtime.StopPodAsync(request.PodId, TimeSpan.FromSeconds(10));

        Assert.Equal((PodPhase.Exited, 42), (end.Phase, end.ExitCode));
    }

    [Fact]
    public async Task A_pod_outlives_the_runtime_and_a_new_runtime_finds_it_running_then_sees_it_exit()
    {
        await using var node = await RuntimeHarness.Start(aci);
        var request = node.Request("/bin/sh", "-c", "sleep 2; exit 5");
        await node.Runtime.StartPodAsync(request);

        await node.Restart();
        var recovered = await node.Runtime.RecoverAsync();

        Assert.Equal(PodPhase.Running, Assert.Single(recovered, c => c.PodId == request.PodId).Phase);
        var changes = await node.UntilEnded(request.PodId, Within);
        Assert.Equal((PodPhase.Exited, 5), (changes[^1].Phase, changes[^1].ExitCode));
    }

    [Fact]
    public async Task A_pod_that_ended_while_no_runtime_watched_is_recovered_with_its_exit_code()
    {
        await using var node = await RuntimeHarness.Start(aci);
        var request = node.Request("/bin/sh", "-c", "sleep 0.5; exit 9");
        await node.Runtime.StartPodAsync(request);
        await node.Runtime.DisposeAsync();
        await Task.Delay(1500);

        await node.Restart();
        var recovered = await node.Runtime.RecoverAsync();

        var pod = Assert.Single(recovered, c => c.PodId == request.PodId);
        Assert.Equal((PodPhase.Exited, 9), (pod.Phase, pod.ExitCode));
    }

    [Fact]
    public async Task The_supervisor_of_a_sleeping_pod_uses_under_1_MB_of_memory()
    {
        await using var node = await RuntimeHarness.Start(aci);
        var request = node.Request("/bin/sleep", "30");
        await node.Runtime.StartPodAsync(request);

        var shim = int.Parse(File.ReadAllText(Path.Combine(node.DataDirectory, "pods", request.PodId, "pid")).Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
        var rssKb = File.ReadLines($"/proc/{shim}/status").Single(l => l.StartsWith("VmRSS:", StringComparison.Ordinal))
            .Split(' ', StringSplitOptions.RemoveEmptyEntries)[1];

        Assert.InRange(int.Parse(rssKb, System.Globalization.CultureInfo.InvariantCulture), 1, 1023);
    }

    [Fact]
    public async Task Removing_a_running_pod_kills_it_and_deletes_its_tree()
    {
        await using var node = await RuntimeHarness.Start(aci);
        var request = node.Request("/bin/sleep", "1000");
        await node.Runtime.StartPodAsync(request);
        var app = int.Parse(File.ReadAllText(Path.Combine(node.DataDirectory, "pods", request.PodId, "pid")).Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);

        await node.Runtime.RemovePodAsync(request.PodId);

        Assert.False(Directory.Exists(Path.Combine(node.DataDirectory, "pods", request.PodId)));
        Assert.False(Directory.Exists($"/proc/{app}") && !File.ReadAllText($"/proc/{app}/stat").Contains(") Z ", StringComparison.Ordinal));
    }
}
