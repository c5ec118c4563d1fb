using System.Diagnostics;
using System.Globalization;
using Xunit.Abstractions;

namespace FleetPods.NodeRuntime.Tests;

/// <summary>Real pods in real namespaces through the runtime, without Orleans: running, isolation, identity, rootfs, stop, remove.</summary>
public sealed class PodLifecycleTests(BusyboxAci aci, ITestOutputHelper output) : IClassFixture<BusyboxAci>
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
    public async Task A_pod_sees_only_its_own_processes_and_exactly_its_own_environment()
    {
        await using var node = await RuntimeHarness.Start(aci);
        var request = node.Request("/bin/sh", "-c", "ls /proc | grep -c '^[0-9]'; env | grep -v '^PWD=' | grep -v '^SHLVL=' | sort") with { Hostname = "web-1.example" };
        request = request with { App = request.App with { Environment = [new("GREETING", "hi there")] } };

        await node.Runtime.StartPodAsync(request);
        await node.UntilEnded(request.PodId, Within);

        var lines = (await node.Log(request.PodId)).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(int.Parse(lines[0], CultureInfo.InvariantCulture) <= 3, $"the pod saw {lines[0]} processes");
        Assert.Equal(
            ["AC_APP_NAME=app", "GREETING=hi there", "HOSTNAME=web-1.example", "IMAGE_GREETING=hello", "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],
            lines[1..]);
    }

    [Fact]
    public async Task User_and_group_by_name_come_from_the_pods_own_passwd_with_its_supplementary_groups()
    {
        await using var node = await RuntimeHarness.Start(aci);
        var request = node.Request() with
        {
            App = new PodAppRequest("app", ["/bin/sh", "-c", "id -u; id -g; id -G | tr ' ' '\\n' | sort -n | tr '\\n' ' '; pwd"], [], "/tmp", "nobody", "nogroup"),
        };

        await node.Runtime.StartPodAsync(request);
        await node.UntilEnded(request.PodId, Within);

        Assert.Equal("65534\n65534\n100 65534 /tmp\n", await node.Log(request.PodId));
    }

    [Fact]
    public async Task A_numeric_user_and_group_need_no_entry_in_the_pods_passwd()
    {
        await using var node = await RuntimeHarness.Start(aci);
        var request = node.Request() with { App = new PodAppRequest("app", ["/bin/sh", "-c", "id -u; id -G"], [], null, "4242", "4343") };

        await node.Runtime.StartPodAsync(request);
        await node.UntilEnded(request.PodId, Within);

        Assert.Equal("4242\n4343\n", await node.Log(request.PodId));
    }

    [Fact]
    public async Task A_user_missing_from_the_pods_passwd_fails_the_pod_with_a_reason()
    {
        await using var node = await RuntimeHarness.Start(aci);
        var request = node.Request() with { App = new PodAppRequest("app", ["/bin/true"], [], null, "www-data", null) };

        var error = await Assert.ThrowsAsync<PodLaunchException>(() => node.Runtime.StartPodAsync(request));

        Assert.Equal("user 'www-data' not found in the pod's /etc/passwd", error.Message);
    }

    [Fact]
    public async Task Without_overlay_the_pod_writes_its_own_copy_and_the_image_is_untouched()
    {
        await using var node = await RuntimeHarness.Start(aci);
        var request = node.Request("/bin/sh", "-c", "echo changed > /etc/passwd; cat /etc/passwd; touch /bin/new") with { Overlay = false };
        var image = node.Runtime.Images.LayerTreeOf(node.Image.Layers[^1]);
        var before = Directory.GetFileSystemEntries(image, "*", SearchOption.AllDirectories).Length;

        await node.Runtime.StartPodAsync(request);
        var changes = await node.UntilEnded(request.PodId, Within);

        Assert.Equal(0, changes[^1].ExitCode);
        Assert.Equal("changed\n", await node.Log(request.PodId));
        Assert.StartsWith("root:", await File.ReadAllTextAsync(Path.Combine(image, "etc/passwd")), StringComparison.Ordinal);
        Assert.Equal(before, Directory.GetFileSystemEntries(image, "*", SearchOption.AllDirectories).Length);
        Assert.True(File.Exists(node.PodFile(request.PodId, "rootfs/bin/new")));
    }

    [Fact]
    public async Task With_overlay_writes_land_in_the_pods_upper_layer_not_in_the_image()
    {
        await using var node = await RuntimeHarness.Start(aci);
        var request = node.Request("/bin/sh", "-c", "echo mine > /root/note");

        await node.Runtime.StartPodAsync(request);
        await node.UntilEnded(request.PodId, Within);

        Assert.Equal("mine\n", await File.ReadAllTextAsync(node.PodFile(request.PodId, "upper/root/note")));
        Assert.False(File.Exists(Path.Combine(node.Runtime.Images.LayerTreeOf(node.Image.Layers[^1]), "root/note")));
    }

    [Fact]
    public async Task A_missing_program_fails_the_pod_with_a_reason_that_names_it()
    {
        await using var node = await RuntimeHarness.Start(aci);
        var request = node.Request("/bin/no-such-program");

        var error = await Assert.ThrowsAsync<PodLaunchException>(() => node.Runtime.StartPodAsync(request));
        var changes = await node.UntilEnded(request.PodId, Within);

        Assert.Equal("exec /bin/no-such-program: No such file or directory", error.Message);
        Assert.Equal([PodPhase.Preparing, PodPhase.Failed], changes.Select(c => c.Phase));
        Assert.Equal(error.Message, changes[^1].Reason);
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
        Assert.InRange(clock.Elapsed, TimeSpan.FromMilliseconds(450), TimeSpan.FromSeconds(5));
        Assert.Equal(end, await node.Runtime.StopPodAsync(request.PodId, TimeSpan.FromSeconds(1)));
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
        var request = node.Request("/bin/sh", "-c", "trap 'exit 42' TERM; echo ready; while true; do sleep 0.1; done");
        await node.Runtime.StartPodAsync(request);
        while (!(await node.Log(request.PodId)).Contains("ready", StringComparison.Ordinal))
        {
            await Task.Delay(20);
        }

        var end = await node.Runtime.StopPodAsync(request.PodId, TimeSpan.FromSeconds(10));

        Assert.Equal((PodPhase.Exited, 42), (end.Phase, end.ExitCode));
    }

    [Fact]
    public async Task The_supervisor_of_a_sleeping_pod_uses_under_1_MB_of_memory()
    {
        await using var node = await RuntimeHarness.Start(aci);
        var request = node.Request("/bin/sleep", "30");
        await node.Runtime.StartPodAsync(request);

        var shim = node.Processes(request.PodId).Shim;
        var rss = TestProcesses.StatusKilobytes(shim, "VmRSS");
        output.WriteLine($"fleetpods-shim pid {shim}: VmRSS {rss} kB, of which RssAnon {TestProcesses.StatusKilobytes(shim, "RssAnon")} kB and RssFile {TestProcesses.StatusKilobytes(shim, "RssFile")} kB");

        Assert.InRange(rss, 1, 1023);
    }

    [Fact]
    public async Task Removing_a_running_pod_kills_it_and_deletes_its_tree()
    {
        await using var node = await RuntimeHarness.Start(aci);
        var request = node.Request("/bin/sleep", "1000") with { Overlay = false };
        await node.Runtime.StartPodAsync(request);
        var app = node.Processes(request.PodId).App;

        await node.Runtime.RemovePodAsync(request.PodId);

        Assert.False(Directory.Exists(node.PodFile(request.PodId, "")));
        Assert.False(TestProcesses.IsRunning(app));
        Assert.False(node.Runtime.Knows(request.PodId));
        Assert.True(File.Exists(Path.Combine(node.Runtime.Images.LayerTreeOf(node.Image.Layers[^1]), "bin/busybox")));
    }
}
