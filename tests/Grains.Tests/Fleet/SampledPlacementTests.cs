using static FleetPods.Grains.Tests.Fleet.FleetCluster;

namespace FleetPods.Grains.Tests.Fleet;

/// <summary>
/// Past a few dozen nodes the scheduler scores a sample of the fitting nodes, not every one (as Nomad's does): the
/// spread must still hold, and a rule that only a few nodes meet must still find them.
/// </summary>
public sealed class SampledPlacementTests
{
    private const int Agents = 96;

    [Fact]
    public async Task Replicas_spread_evenly_over_more_agents_than_a_placement_scores()
    {
        await using var fleet = await FleetCluster.Start("role=server");
        var agents = await Task.WhenAll(Enumerable.Range(0, Agents).Select(i => FakeNodeAgent.Attach(fleet.Client, $"agent-{i:D3}", "role=agent")));
        try
        {
            var unit = await fleet.Start("wide.pod", pod: $"Count={Agents * 4}", fleet: FakeNodeAgent.OnAgents);
            var status = await Until(unit, pods => Running(pods).Count == Agents * 4, $"{Agents * 4} pods running");

            // Four each on average; the sample may miss the emptiest node now and then, never by much.
            var perNode = status.Pods.GroupBy(p => p.NodeName).Select(g => g.Count()).ToArray();
            Assert.True(perNode.Max() <= 5, $"max/mean {perNode.Max() / 4.0:0.00}: " + string.Join(",", perNode.Order()));
        }
        finally
        {
            foreach (var agent in agents)
            {
                await agent.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task A_rule_only_a_few_agents_meet_finds_them_among_many()
    {
        await using var fleet = await FleetCluster.Start("role=server");
        var agents = await Task.WhenAll(Enumerable.Range(0, Agents).Select(i =>
            FakeNodeAgent.Attach(fleet.Client, $"agent-{i:D3}", i % 40 == 7 ? "role=agent,disk=ssd" : "role=agent")));
        try
        {
            var unit = await fleet.Start("ssd.pod", pod: "Count=6", fleet: "MachineMetadata=disk=ssd");
            var status = await Until(unit, pods => Running(pods).Count == 6, "six pods running");

            Assert.Equal(["agent-007", "agent-047", "agent-087"], status.Pods.Select(p => p.NodeName!).Distinct().Order(StringComparer.Ordinal));
        }
        finally
        {
            foreach (var agent in agents)
            {
                await agent.DisposeAsync();
            }
        }
    }
}
