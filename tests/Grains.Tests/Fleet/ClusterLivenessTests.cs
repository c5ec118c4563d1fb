using FleetPods.Grains.Tests.Cluster;

namespace FleetPods.Grains.Tests.Fleet;

/// <summary><see cref="IClusterGrain"/>: every node with its liveness from Orleans membership, while a node's silo is dead.</summary>
public sealed class ClusterLivenessTests
{
    [Fact]
    public async Task A_killed_node_is_down_with_its_last_announcement_and_the_others_stay_up()
    {
        await using var fleet = await FleetCluster.Start("disk=ssd", "disk=ssd", "disk=hdd");
        var cluster = fleet.Client.GetGrain<IClusterGrain>(IClusterGrain.Key);
        var before = await cluster.GetNodes();
        Assert.Equal(fleet.Nodes.Order(StringComparer.Ordinal), before.Select(n => n.Name));
        Assert.All(before, n => Assert.Equal(NodeLiveness.Up, n.Liveness));

        // Not the primary silo: the test cluster's membership lives there.
        var victim = fleet.Nodes[2];
        await fleet.Kill(victim);
        var after = await Eventually.Until(() => NodesOrNone(cluster), nodes => nodes.Any(n => n.Name == victim && n.Liveness == NodeLiveness.Down), $"{victim} down");

        var dead = after.Single(n => n.Name == victim);
        Assert.Equal("hdd", dead.Info!.Metadata["disk"]);
        Assert.Equal(FleetCluster.NodeCapacity, dead.Info.Capacity);
        Assert.All(after.Where(n => n.Name != victim), n => Assert.Equal((NodeLiveness.Up, "ssd"), (n.Liveness, n.Info!.Metadata["disk"])));
        await Assert.ThrowsAsync<NodeUnavailableException>(() => fleet.Client.GetGrain<INodeGrain>(victim).GetInfo());
    }

    // While the cluster notices the death, a grain that lived on the killed silo (the node registry among them) cannot answer yet.
    private static async Task<IReadOnlyList<NodeStatus>> NodesOrNone(IClusterGrain cluster)
    {
        try
        {
            return await cluster.GetNodes();
        }
        catch (Exception ex) when (ex is OrleansMessageRejectionException or TimeoutException)
        {
            return [];
        }
    }
}
