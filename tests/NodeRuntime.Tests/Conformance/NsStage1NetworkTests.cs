namespace FleetPods.NodeRuntime.Tests.Conformance;

/// <summary>Stage1 <c>ns</c> runs the network part of the conformance suite: its pods are veth pairs on the node's bridge.</summary>
public sealed class NsStage1NetworkTests(BusyboxAci aci, OutsideNetwork outside)
    : Stage1NetworkConformance(aci, outside), IClassFixture<BusyboxAci>, IClassFixture<OutsideNetwork>
{
    protected override Stage1Flavor Flavor => Stage1Flavor.Ns;
}
