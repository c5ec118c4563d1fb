namespace FleetPods.Grains.Tests.Cluster;

[Collection(SharedCluster.Name)]
public sealed class PlacementTests(ClusterFixture fixture)
{
    private static string Unit(string memory) => $"[Pod]\nImage=example.com/busybox\nExec=/bin/true\nMemory={memory}\n";

    // A node grain refuses to activate where the machine under it has another name, so an answer proves its silo.
    [Fact]
    public async Task Each_node_grain_lives_on_the_silo_named_like_it()
    {
        foreach (var silo in fixture.Cluster.Silos)
        {
            var info = await fixture.Client.GetGrain<INodeGrain>(silo.Name).GetInfo();
            Assert.Equal(silo.Name, info!.Name);
            Assert.Equal(ClusterFixture.NodeCapacity, info.Capacity);
        }
    }

    [Fact]
    public async Task A_node_that_is_no_silo_and_has_no_agent_attached_is_down_and_takes_no_pod()
    {
        var nowhere = fixture.Client.GetGrain<INodeGrain>("nowhere");

        Assert.Null(await nowhere.GetInfo());
        Assert.Equal(NodeLiveness.Down, (await nowhere.GetStatus()).Liveness);
        Assert.Equal(HeartbeatAnswer.Refused, await nowhere.Heartbeat("0123"));
        Assert.False((await nowhere.Reserve(new PlacementRequest("p-nowhere", null, new ResourceRequest(0, 0), PlacementRequest.NoRules, null), null)).Reserved);
        var error = await Assert.ThrowsAsync<NodeUnavailableException>(() => nowhere.StopPod("p-nowhere", TimeSpan.Zero));
        Assert.Contains("its agent is not attached", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Pods_spread_by_free_memory_and_one_that_fits_nowhere_stays_pending_with_a_reason()
    {
        var names = new[] { "big-a.pod", "big-b.pod", "big-c.pod" };
        try
        {
            var nodes = new List<string?>();
            foreach (var name in names)
            {
                await fixture.Client.GetGrain<IUnitGrain>(name).Submit(name, Unit("5G"));
                nodes.Add((await fixture.Client.GetGrain<IUnitGrain>(name).Start()).Pod!.NodeName);
            }

            Assert.Equal(fixture.NodeNames.Order(), nodes.Take(2).Order());
            var pending = (await fixture.Client.GetGrain<IUnitGrain>("big-c.pod").GetStatus())!.Pod!;
            Assert.Equal(PodPhase.Pending, pending.Phase);
            Assert.Null(pending.NodeName);
            Assert.Equal("no node with 5 GiB free memory among 2 nodes", pending.Reason);
        }
        finally
        {
            foreach (var name in names)
            {
                await fixture.Client.GetGrain<IUnitGrain>(name).Destroy(TimeSpan.FromSeconds(1));
            }
        }
    }
}
