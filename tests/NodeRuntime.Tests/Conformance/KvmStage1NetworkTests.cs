using FleetPods.NodeRuntime.Tests.Kvm;

namespace FleetPods.NodeRuntime.Tests.Conformance;

/// <summary>
/// Stage1 <c>kvm</c> runs the network part of the conformance suite, the same tests as ns: its VMs are tap devices on
/// the node's bridge with a virtio-net device each. Real qemu (TCG here), one test at a time with the other kvm tests.
/// </summary>
[Collection(KvmTestGroup.Name)]
[Trait("Category", "kvm")]
[Requires(Requires.Qemu)]
public sealed class KvmStage1NetworkTests(BusyboxAci aci, KvmGuest guest, OutsideNetwork outside)
    : Stage1NetworkConformance(aci, outside), IClassFixture<OutsideNetwork>
{
    protected override Stage1Flavor Flavor => Stage1Flavor.Kvm;

    protected override Task<RuntimeHarness> StartNode() => guest.StartNode(Aci);
}
