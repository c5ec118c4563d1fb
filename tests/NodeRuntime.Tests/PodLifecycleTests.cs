using Xunit.Abstractions;

namespace FleetPods.NodeRuntime.Tests;

/// <summary>Real pods through the runtime, without Orleans: identity edge cases, stop racing the launch, the supervisor's memory, remove. What every stage1 flavor does is in Conformance/.</summary>
public sealed class PodLifecycleTests(BusyboxAci aci, ITestOutputHelper output) : IClassFixture<BusyboxAci>
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(20);

    [RequiresFact(Requires.Root)]
    public async Task A_numeric_user_and_group_need_no_entry_in_the_pods_passwd()
    {
        await using var node = await RuntimeHarness.Start(aci);
        var request = node.Request() with { App = new PodAppRequest("app", ["/bin/sh", "-c", "id -u; id -G"], [], null, "4242", "4343") };

        await node.Runtime.StartPodAsync(request);
        await node.UntilEnded(request.PodId, Within);

        Assert.Equal("4242\n4343\n", await node.Log(request.PodId));
    }

    [RequiresFact(Requires.Root)]
    public async Task A_pods_manifest_and_record_with_its_environment_are_the_nodes_root_alone_to_read()
    {
        await using var node = await RuntimeHarness.Start(aci);
        var request = node.Request() with { App = new PodAppRequest("app", ["/bin/true"], [KeyValuePair.Create("TOKEN", "secret")], null, null, null) };

        await node.Runtime.StartPodAsync(request);
        await node.UntilEnded(request.PodId, Within);

        Assert.Contains("secret", await File.ReadAllTextAsync(node.PodFile(request.PodId, "manifest.json")), StringComparison.Ordinal);
        const UnixFileMode OthersAndGroup = UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;
        Assert.Equal((UnixFileMode)0, File.GetUnixFileMode(Path.Combine(node.DataDirectory, "pods")) & OthersAndGroup);
    }

    [RequiresFact(Requires.Root)]
    public async Task A_user_missing_from_the_pods_passwd_fails_the_pod_with_a_reason()
    {
        await using var node = await RuntimeHarness.Start(aci);
        var request = node.Request() with { App = new PodAppRequest("app", ["/bin/true"], [], null, "www-data", null) };

        var error = await Assert.ThrowsAsync<PodLaunchException>(() => node.Runtime.StartPodAsync(request));

        Assert.Equal("user 'www-data' not found in the pod's /etc/passwd", error.Message);
    }

    [RequiresFact(Requires.Root)]
    public async Task A_stop_that_overtakes_the_launch_waits_for_it_and_the_pod_does_not_stay_running()
    {
        await using var node = await RuntimeHarness.Start(aci);
        var request = node.Request("/bin/sleep", "1000") with { Overlay = false };

        var launch = node.Runtime.StartPodAsync(request);
        var end = await node.Runtime.StopPodAsync(request.PodId, TimeSpan.FromMilliseconds(200));
        await launch;

        Assert.Equal((PodPhase.Exited, 137), (end.Phase, end.ExitCode));
    }

    [RequiresFact(Requires.Root)]
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

    [RequiresFact(Requires.Root)]
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
