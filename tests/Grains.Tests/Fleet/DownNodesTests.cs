using Microsoft.Extensions.Time.Testing;

namespace FleetPods.Grains.Tests.Fleet;

/// <summary>The bounded list of down agents' nodes: the newest <see cref="FleetCluster.MaxDownNodes"/>, each for <see cref="FleetCluster.DownNodeRetention"/>.</summary>
public sealed class DownNodesTests
{
    [Fact]
    public async Task Past_the_bound_the_oldest_down_node_is_forgotten_and_after_the_retention_all_are()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var fleet = await FleetCluster.Start(clock, "role=server");
        var down = fleet.Client.GetGrain<IDownNodesGrain>(IDownNodesGrain.Key);
        foreach (var node in new[] { "gone-1", "gone-2", "gone-3", "gone-4" })
        {
            await down.Add(node);
            clock.Advance(TimeSpan.FromMinutes(1));
        }

        await down.Add("gone-2");
        Assert.Equal(["gone-2", "gone-3", "gone-4"], await down.List());
        Assert.Equal(["gone-2", "gone-3", "gone-4"], (await fleet.Client.GetGrain<IClusterGrain>(IClusterGrain.Key).GetNodes())
            .Where(n => n.Liveness == NodeLiveness.Down).Select(n => n.Name));

        // gone-2 went down 4 minutes before the retention began to count from now, gone-3 3 minutes, gone-4 2.
        clock.Advance(FleetCluster.DownNodeRetention - TimeSpan.FromMinutes(2) + TimeSpan.FromSeconds(1));
        Assert.Equal(["gone-4"], await down.List());
        clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Empty(await down.List());
    }
}
