namespace FleetPods.NodeRuntime.Tests.Conformance;

/// <summary>Stage1 <c>ns</c> runs the whole conformance suite (its network part: <see cref="NsStage1NetworkTests"/>).</summary>
public sealed class NsStage1Tests(BusyboxAci aci, SetuidProbe probe)
    : NamespacedStage1Conformance(aci, probe), IClassFixture<BusyboxAci>, IClassFixture<SetuidProbe>
{
    protected override Stage1Flavor Flavor => Stage1Flavor.Ns;
}
