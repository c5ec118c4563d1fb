using static FleetPods.Grains.Tests.Fleet.FleetCluster;

namespace FleetPods.Grains.Tests.Fleet;

/// <summary>
/// Replicas spread over four in-process node silos by load, as fleet put a unit on the machine with the fewest
/// units; each test removes its units, so the next one starts on empty nodes.
/// </summary>
public sealed class SpreadTests(FourNodeFixture fixture) : IClassFixture<FourNodeFixture>
{
    private FleetCluster Fleet => fixture.Fleet;

    [Fact]
    public async Task Three_replicas_that_ask_for_nothing_run_on_three_different_nodes()
    {
        var unit = await Fleet.Start("spread-3.pod", pod: "Count=3");
        try
        {
            var status = await Until(unit, pods => Running(pods).Count == 3, "three replicas running");

            Assert.Equal(3, status.Pods.Select(p => p.NodeName).Distinct().Count());
        }
        finally
        {
            await unit.Destroy(TimeSpan.Zero);
        }
    }

    // The case the free-resources ranking got wrong: one node with nothing reserved took every replica that asked for nothing.
    [Fact]
    public async Task Replicas_spread_when_every_node_but_one_holds_a_small_reservation()
    {
        var small = new List<IUnitGrain>();
        foreach (var node in Fleet.Nodes.Skip(1))
        {
            small.Add(await Fleet.Start($"small-{node}.pod", pod: "Memory=64M", fleet: $"MachineID={node}"));
        }

        var unit = await Fleet.Start("spread-empty.pod", pod: "Count=3");
        try
        {
            var status = await Until(unit, pods => Running(pods).Count == 3, "three replicas running");

            Assert.Equal(3, status.Pods.Select(p => p.NodeName).Distinct().Count());
        }
        finally
        {
            await unit.Destroy(TimeSpan.Zero);
            foreach (var reserved in small)
            {
                await reserved.Destroy(TimeSpan.Zero);
            }
        }
    }

    [Fact]
    public async Task Eight_replicas_run_two_on_each_of_four_nodes()
    {
        var unit = await Fleet.Start("spread-8.pod", pod: "Count=8");
        try
        {
            var status = await Until(unit, pods => Running(pods).Count == 8, "eight replicas running");

            Assert.Equal(Fleet.Nodes.Order(StringComparer.Ordinal).Select(n => (n, 2)), PerNode(status));
        }
        finally
        {
            await unit.Destroy(TimeSpan.Zero);
        }
    }

    [Fact]
    public async Task Replicas_keep_off_the_node_whose_memory_another_unit_reserved()
    {
        var hog = await Fleet.Start("hog.pod", pod: "Memory=6G", fleet: $"MachineID={Fleet.Nodes[0]}");
        var unit = await Fleet.Start("light.pod", pod: "Count=3");
        try
        {
            await Until(hog, pods => Running(pods).Count == 1, "the hog running");
            var status = await Until(unit, pods => Running(pods).Count == 3, "three replicas running");

            Assert.Equal(Fleet.Nodes.Skip(1).Order(StringComparer.Ordinal).Select(n => (n, 1)), PerNode(status));
        }
        finally
        {
            await unit.Destroy(TimeSpan.Zero);
            await hog.Destroy(TimeSpan.Zero);
        }
    }

    [Fact]
    public async Task A_rule_decides_over_spread_and_replicas_spread_within_it()
    {
        var unit = await Fleet.Start("rack-1.pod", pod: "Count=4", fleet: "MachineMetadata=rack=1");
        try
        {
            var status = await Until(unit, pods => Running(pods).Count == 4, "four replicas running");

            Assert.Equal(Fleet.Nodes.Take(2).Order(StringComparer.Ordinal).Select(n => (n, 2)), PerNode(status));
        }
        finally
        {
            await unit.Destroy(TimeSpan.Zero);
        }
    }

    private static IEnumerable<(string Node, int Pods)> PerNode(UnitStatus status) =>
        status.Pods.GroupBy(p => p.NodeName!).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => (g.Key, g.Count()));
}
