using static FleetPods.Grains.Tests.Fleet.FleetCluster;

namespace FleetPods.Grains.Tests.Fleet;

/// <summary>Nodes that join and leave: each test on a cluster of its own, since it kills or adds silos.</summary>
public sealed class NodeMembershipTests
{
    [Fact]
    public async Task A_global_unit_runs_on_every_matching_node_including_one_that_joins_later()
    {
        await using var fleet = await FleetCluster.Start("disk=ssd", "disk=ssd", "disk=hdd");
        var unit = await fleet.Start("agent.pod", fleet: "Global=true\nMachineMetadata=disk=ssd");
        var first = await Until(unit, pods => Running(pods).Count == 2, "one pod on each ssd node");

        var joined = await fleet.AddNode("disk=ssd");
        var second = await Until(unit, pods => Running(pods).Count == 3, "a pod on the new ssd node too");

        Assert.Equal(new[] { fleet.Nodes[0], fleet.Nodes[1] }.Order(), first.Pods.Select(p => p.NodeName).Order()!);
        Assert.Contains(joined, second.Pods.Select(p => p.NodeName));
        Assert.DoesNotContain(fleet.Nodes[2], second.Pods.Select(p => p.NodeName));
    }

    [Fact]
    public async Task The_pods_of_a_killed_node_are_lost_and_run_again_elsewhere()
    {
        await using var fleet = await FleetCluster.Start("", "", "");
        var unit = await fleet.Start("web.pod", pod: "Count=3");
        var before = await Until(unit, pods => Running(pods).Count == 3, "three pods running");

        // Not the primary silo: the test cluster's membership lives there.
        var victim = before.Pods.Select(p => p.NodeName!).First(n => n != fleet.Cluster.Silos[0].Name);
        var lost = before.Pods.Where(p => p.NodeName == victim).Select(p => p.Id).ToList();
        await fleet.Kill(victim);

        var after = await Until(unit, pods => Running(pods).Count == 3 && pods.All(p => p.NodeName != victim), "three pods running off the killed node");
        Assert.DoesNotContain(after.Pods, p => lost.Contains(p.Id));
        var lostPod = await fleet.Client.GetGrain<IPodGrain>(lost[0]).GetStatus();
        Assert.True(lostPod is null or { Phase: PodPhase.Failed }, $"the lost pod is failed or forgotten: {lostPod}");
    }
}
