namespace FleetPods.NodeRuntime.Tests.Conformance;

/// <summary>Stage1 <c>ns</c> runs the whole conformance suite.</summary>
public sealed class NsStage1Tests(BusyboxAci aci, SetuidProbe probe, OutsideNetwork outside)
    : NamespacedStage1Conformance(aci, probe, outside), IClassFixture<BusyboxAci>, IClassFixture<SetuidProbe>, IClassFixture<OutsideNetwork>
{
    protected override Stage1Flavor Flavor => Stage1Flavor.Ns;
}
