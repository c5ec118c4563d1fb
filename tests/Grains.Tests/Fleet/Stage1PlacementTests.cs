using FleetPods.Grains.UnitFiles;
using static FleetPods.Grains.Tests.Fleet.FleetCluster;

namespace FleetPods.Grains.Tests.Fleet;

/// <summary>Stage1= is a placement rule: a pod goes only to a node that offers its flavor, on three in-process silos.</summary>
public sealed class Stage1PlacementTests : IAsyncLifetime
{
    private FleetCluster fleet = null!;

    public async Task InitializeAsync() => fleet = await FleetCluster.Start("", "", "");

    public async Task DisposeAsync() => await fleet.DisposeAsync();

    [Fact]
    public async Task A_kvm_unit_waits_with_the_reason_while_no_node_offers_kvm_then_runs_only_on_the_node_that_does()
    {
        foreach (var node in fleet.Nodes)
        {
            await fleet.Reannounce(node, "", Stage1Flavor.Ns, Stage1Flavor.Fly);
        }

        var unit = await fleet.Start("vm.pod", pod: "Stage1=kvm\nCount=2");

        var waiting = await Until(unit, pods => pods.Count == 2 && pods.All(p => p.Reason is not null), "both kvm pods pending with a reason");
        Assert.All(waiting.Pods, p => Assert.Equal((PodPhase.Pending, "no node matches Stage1=kvm among 3 nodes: 3 not offering stage1 kvm"), (p.Phase, p.Reason)));

        // Pending pods try again every 2 s: once one node offers kvm, both go there, however loaded it gets.
        var kvm = fleet.Nodes[1];
        await fleet.Reannounce(kvm, "", Stage1Flavor.Ns, Stage1Flavor.Fly, Stage1Flavor.Kvm);

        var running = await Until(unit, pods => Running(pods).Count == 2, "both kvm pods running");
        Assert.All(running.Pods, p => Assert.Equal(kvm, p.NodeName));
        Assert.Equal(2, fleet.Machine(kvm).Launched.Values.Count(s => s.UnitName == "vm.pod"));
        Assert.All(fleet.Nodes.Where(n => n != kvm), n => Assert.Empty(fleet.Machine(n).Launched));
    }

    [Fact]
    public async Task A_default_pod_keeps_off_a_node_whose_admin_offers_only_fly()
    {
        var (flyOnly, others) = (fleet.Nodes[0], fleet.Nodes.Skip(1).ToList());
        await fleet.Reannounce(flyOnly, "", Stage1Flavor.Fly);

        var unit = await fleet.Start("plain.pod", pod: "Count=4");

        var running = await Until(unit, pods => Running(pods).Count == 4, "four default pods running");
        Assert.All(running.Pods, p => Assert.Contains(p.NodeName, others));
        Assert.Empty(fleet.Machine(flyOnly).Launched);
    }
}
