namespace FleetPods.NodeRuntime.Tests.Conformance;

/// <summary>
/// Stage1 <c>fly</c> runs the conformance suite without its namespaced part (fly is chroot only by design),
/// and these tests of what fly is for: a privileged pod that sees the host.
/// </summary>
public sealed class FlyStage1Tests(BusyboxAci aci, SetuidProbe probe) : HostProcessStage1Conformance(aci), IClassFixture<BusyboxAci>, IClassFixture<SetuidProbe>
{
    protected override Stage1Flavor Flavor => Stage1Flavor.Fly;

    [RequiresFact(Requires.Root)]
    public async Task A_fly_pod_is_chrooted_into_its_image_but_sees_the_hosts_processes_devices_and_network()
    {
        await using var node = await RuntimeHarness.Start(Aci);
        var request = Request(node, "/bin/sh", "-c", $"test -e /bin/busybox && echo image; test -d /proc/{Environment.ProcessId} && echo host-processes; test -e /dev/{Path.GetFileName(HostDevice())} && echo host-devices; hostname; ip -o link | grep -c ': lo'");

        var (_, log) = await Run(node, request);

        Assert.Equal($"image\nhost-processes\nhost-devices\n{System.Net.Dns.GetHostName()}\n1\n", log);
    }

    [RequiresFact(Requires.Root)]
    public async Task A_fly_app_keeps_setuid_so_the_namespaced_flavors_no_new_privs_test_can_tell()
    {
        await using var node = await RuntimeHarness.Start(Aci);
        var request = Request(node) with { Volumes = [new PodVolume("probe", PodVolumeKind.Host, probe.Directory, ReadOnly: true)] };
        request = request with
        {
            App = new PodAppRequest("app", ["/probe/euid"], [], null, "nobody", null) { Mounts = [new PodMount("probe", "/probe")] },
        };

        var (_, log) = await Run(node, request);

        Assert.Equal("0\n", log);
    }

    [RequiresTheory(Requires.Root)]
    [InlineData("private users", "stage1 fly runs in the host's user ids: PrivateUsers= needs stage1 ns")]
    [InlineData("network", "stage1 fly shares the host's network: --net=host only")]
    [InlineData("apps", "stage1 fly runs one app: several apps need stage1 ns")]
    public async Task What_fly_does_not_do_is_refused_with_a_reason(string feature, string reason)
    {
        await using var node = await RuntimeHarness.Start(Aci);
        var request = Request(node, "/bin/true");
        request = feature switch
        {
            "private users" => request with { PrivateUsers = true },
            "network" => request with { Network = PodNetworkMode.None },
            _ => request with { MoreApps = [request.App with { Name = "second" }] },
        };

        var error = await Assert.ThrowsAsync<PodLaunchException>(() => node.Runtime.StartPodAsync(request));

        Assert.Equal(reason, error.Message);
    }

    // A device node every Linux host has but stage1 ns never puts in a pod's /dev.
    private static string HostDevice() => File.Exists("/dev/kmsg") ? "/dev/kmsg" : "/dev/mem";
}
