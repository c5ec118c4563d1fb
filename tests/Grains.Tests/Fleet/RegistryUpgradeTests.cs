namespace FleetPods.Grains.Tests.Fleet;

/// <summary>A cluster stored before pods and nodes were sharded keeps listing them: a silo that starts moves them.</summary>
public sealed class RegistryUpgradeTests
{
    [Fact]
    public async Task Pods_and_nodes_in_the_one_old_registry_grain_move_into_the_shards_when_a_silo_starts()
    {
        await using var fleet = await FleetCluster.Start("role=first");
        var oldPods = fleet.Client.GetGrain<IRegistryGrain>(RegistryKind.Pods);
        var oldNodes = fleet.Client.GetGrain<IRegistryGrain>(RegistryKind.Nodes);
        await oldPods.Add("stored-before-shards-1");
        await oldPods.Add("stored-before-shards-2");
        await oldNodes.Add("machine-before-shards");

        await fleet.AddNode("role=second");

        var pods = await new KeyRegistry(fleet.Client, RegistryKind.Pods).List();
        Assert.Contains("stored-before-shards-1", pods);
        Assert.Contains("stored-before-shards-2", pods);
        Assert.Contains("machine-before-shards", await new KeyRegistry(fleet.Client, RegistryKind.Nodes).List());
        Assert.Empty(await oldPods.List());
        Assert.Empty(await oldNodes.List());
    }
}
