using FleetPods.NodeRuntime.Tests.Kvm;

namespace FleetPods.NodeRuntime.Tests.Conformance;

/// <summary>
/// Stage1 <c>kvm</c> runs the conformance suite without its host-process part (see <see cref="HostProcessStage1Conformance"/>
/// for why) and without the namespaced part, whose namespaces are the node kernel's; what is kvm's own is in
/// <see cref="Kvm.KvmPodTests"/>. Real qemu: TCG on machines whose KVM cannot boot the guest; the guest kernel is the
/// one deploy/build-guest-kernel.sh built, as fleetpodsd takes it by default.
/// </summary>
[Collection(KvmTestGroup.Name)]
[Trait("Category", "kvm")]
[Requires(Requires.Qemu | Requires.GuestKernel)]
public sealed class KvmStage1Tests(BusyboxAci aci, KvmGuest guest) : Stage1Conformance(aci)
{
    protected override Stage1Flavor Flavor => Stage1Flavor.Kvm;

    protected override Task<RuntimeHarness> StartNode() => guest.StartNode(Aci);
}
