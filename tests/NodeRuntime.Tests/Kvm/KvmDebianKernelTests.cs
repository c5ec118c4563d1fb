using FleetPods.NodeRuntime.Kvm;

namespace FleetPods.NodeRuntime.Tests.Kvm;

/// <summary>
/// The fallback: a node with no kernel built by deploy/build-guest-kernel.sh boots Debian's newest bzImage, whose
/// virtio, console and 9p drivers the guest's init loads as modules.
/// </summary>
[Collection(KvmTestGroup.Name)]
[Trait("Category", "kvm")]
[Requires(Requires.Qemu)]
public sealed class KvmDebianKernelTests(BusyboxAci aci, KvmGuest guest)
{
    [RequiresFact(Requires.Root)]
    public async Task Without_a_built_kernel_a_pod_boots_debians_loads_its_modules_and_writes_to_a_volume()
    {
        using var noBuiltKernels = new TestDirectory();
        await using var node = await guest.StartNode(aci, o => o with { BuiltKvmKernels = noBuiltKernels.Path });
        var debian = GuestKernel.Find(null, noBuiltKernels.Path);
        using var host = new TestDirectory();
        var volume = new PodVolume("data", PodVolumeKind.Host, host.Path, ReadOnly: false);
        var request = node.Request("/bin/sh", "-c", "cat /proc/version; echo shared > /data/note") with { Stage1 = Stage1Flavor.Kvm, Volumes = [volume] };
        request = request with { App = request.App with { Mounts = [new PodMount("data", "/data")] } };

        await node.Runtime.StartPodAsync(request);
        var end = (await node.UntilEnded(request.PodId, TimeSpan.FromSeconds(120)))[^1];

        Assert.Equal((PodPhase.Exited, 0), (end.Phase, end.ExitCode));
        Assert.Equal(GuestKernelFormat.BzImage, debian.Format);
        Assert.StartsWith($"Linux version {debian.Release} ", await node.Log(request.PodId), StringComparison.Ordinal);
        Assert.Equal("shared\n", await File.ReadAllTextAsync(Path.Combine(host.Path, "note")));
    }
}
