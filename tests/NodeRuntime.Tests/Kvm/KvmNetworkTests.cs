using System.Diagnostics;
using System.Text.Json.Nodes;

namespace FleetPods.NodeRuntime.Tests.Kvm;

/// <summary>
/// What is kvm's own in the pod network (the rest is the conformance suite's, <see cref="Conformance.KvmStage1NetworkTests"/>):
/// the VM's tap device on the node's bridge, which carries the pod's MAC and goes with the VM however the pod ends.
/// </summary>
[Collection(KvmTestGroup.Name)]
[Trait("Category", "kvm")]
[Requires(Requires.Qemu)]
public sealed class KvmNetworkTests(BusyboxAci aci, KvmGuest guest)
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(60);

    public enum PodEnd
    {
        Stop,
        ForcedStop,
        VmKilled,
        SupervisorKilled,
    }

    [RequiresTheory(Requires.Root)]
    [InlineData(PodEnd.Stop)]
    [InlineData(PodEnd.ForcedStop)]
    [InlineData(PodEnd.VmKilled)]
    [InlineData(PodEnd.SupervisorKilled)]
    public async Task The_vms_tap_is_on_the_bridge_with_the_pods_mac_while_it_runs_and_gone_once_it_ends(PodEnd how)
    {
        await using var node = await guest.StartNode(aci);
        var request = node.Request("/bin/sh", "-c", "cat /sys/class/net/eth0/address; echo ready; exec sleep 300") with { Stage1 = Stage1Flavor.Kvm };
        await node.Runtime.StartPodAsync(request);
        await WaitForLog(node, request.PodId, "ready");
        var network = JsonNode.Parse(await File.ReadAllTextAsync(node.PodFile(request.PodId, "manifest.json")))!["fleetpods"]!["network"]!;
        var tap = (string)network["tap"]!;
        var mac = (string)network["mac"]!;
        var master = new FileInfo($"/sys/class/net/{tap}/master").LinkTarget;
        var (shim, qemu) = node.Processes(request.PodId);

        switch (how)
        {
            case PodEnd.Stop:
                await node.Runtime.StopPodAsync(request.PodId, TimeSpan.FromSeconds(5));
                break;
            case PodEnd.ForcedStop:
                await node.Runtime.StopPodAsync(request.PodId, TimeSpan.Zero);
                break;
            case PodEnd.VmKilled:
                Process.GetProcessById(qemu).Kill();
                await node.UntilEnded(request.PodId, Within);
                break;
            case PodEnd.SupervisorKilled:
                // qemu dies with its supervisor (its parent-death signal), and the tap with qemu.
                Process.GetProcessById(shim).Kill();
                Assert.True(await TestProcesses.Ends(qemu, Within), "qemu outlived its supervisor");
                break;
        }

        Assert.Equal($"{mac}\nready\n", await node.Log(request.PodId));
        Assert.Equal("fleetpods0", Path.GetFileName(master));
        Assert.True(await Gone($"/sys/class/net/{tap}", TimeSpan.FromSeconds(10)), $"the tap {tap} outlived the pod ({how})");
    }

    private static async Task<bool> Gone(string path, TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        while (Directory.Exists(path))
        {
            if (DateTime.UtcNow > deadline)
            {
                return false;
            }

            await Task.Delay(20);
        }

        return true;
    }

    private static async Task WaitForLog(RuntimeHarness node, string podId, string text)
    {
        using var timeout = new CancellationTokenSource(Within);
        while (!(await node.Log(podId)).Contains(text, StringComparison.Ordinal))
        {
            await Task.Delay(20, timeout.Token);
        }
    }
}
