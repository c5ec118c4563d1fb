using FleetPods.Grains.Scheduling;
using static FleetPods.Grains.Tests.Scheduling.SchedulingData;

namespace FleetPods.Grains.Tests.Scheduling;

/// <summary>The ranking alone: replicas apart, then fewer pods and less reserved, then by name.</summary>
public sealed class SpreadRankingTests
{
    private static readonly PlacementRequest Web = Request("web.pod");
    private static readonly string[] FourNodes = ["n1", "n2", "n3", "n4"];

    private static IEnumerable<string> Ranked(PlacementRequest request, params NodeInfo[] nodes) =>
        SpreadRanking.Rank(nodes, request).Select(n => n.Name);

    [Theory]
    [InlineData(3, new[] { 1, 1, 1, 0 })]
    [InlineData(4, new[] { 1, 1, 1, 1 })]
    [InlineData(8, new[] { 2, 2, 2, 2 })]
    [InlineData(10, new[] { 3, 3, 2, 2 })]
    public void A_units_pods_placed_one_after_another_spread_evenly_over_empty_nodes(int count, int[] expected)
    {
        var nodes = FourNodes.ToDictionary(n => n, n => new List<PlacedPod>());
        for (var i = 0; i < count; i++)
        {
            var best = Ranked(Web, [.. nodes.Select(n => Node(n.Key, pods: [.. n.Value]))]).First();
            nodes[best].Add(Pod("web.pod"));
        }

        Assert.Equal(expected, nodes.Values.Select(pods => pods.Count));
    }

    [Fact]
    public void A_copy_of_a_ranked_node_with_more_pods_counts_them_and_the_node_it_was_copied_from_does_not()
    {
        var node = Node("n1", pods: Pod("web.pod"));
        Assert.Equal(1, SpreadRanking.Load(node, Web, 1).UnitPods);

        // As a scheduler's copy writes a reservation in: a copy of the node, with the pod added.
        var more = node with { Pods = [.. node.Pods, Pod("web.pod") with { PodId = "second" }], PodCount = 2 };

        Assert.Equal(2, SpreadRanking.Load(more, Web, 2).UnitPods);
        Assert.Equal(1, SpreadRanking.Load(node, Web, 2).UnitPods);
    }

    [Fact]
    public void Replicas_that_ask_for_nothing_do_not_all_go_to_the_one_node_with_nothing_reserved()
    {
        var nodes = FourNodes.ToDictionary(n => n, n => n == "n1" ? new List<PlacedPod>() : [Pod("small.pod")]);
        for (var i = 0; i < 3; i++)
        {
            var best = Ranked(Web, [.. nodes.Select(n => Node(n.Key, freeMemory: (8L << 30) - (n.Value.Count > 0 ? 64L << 20 : 0), pods: [.. n.Value]))]).First();
            nodes[best].Add(Pod("web.pod"));
        }

        Assert.Equal(3, nodes.Count(n => n.Value.Any(p => p.UnitName == "web.pod")));
    }

    [Fact]
    public void A_replica_goes_to_a_node_without_one_of_its_unit_before_a_less_busy_one()
    {
        var sibling = Node("a", pods: [Pod("web.pod")]);
        var busy = Node("b", pods: [Pod("x.pod"), Pod("y.pod")]);

        Assert.Equal(["b", "a"], Ranked(Web, sibling, busy));
    }

    [Fact]
    public void A_replica_joins_its_own_only_where_every_other_node_is_much_fuller()
    {
        var sibling = Node("a", pods: [Pod("web.pod")]);
        var full = Node("b", freeMemory: 0, pods: [Pod("x.pod"), Pod("y.pod")]);

        Assert.Equal(["a", "b"], Ranked(Web, full, sibling));
    }

    [Fact]
    public void Fewer_pods_first_then_by_name()
    {
        var busy = Node("a", pods: [Pod("x.pod"), Pod("y.pod")]);

        Assert.Equal(["b", "c", "a"], Ranked(Web, busy, Node("c"), Node("b")));
    }

    [Fact]
    public void Reservations_count_at_the_fullest_resource_with_the_pod_on_it()
    {
        var cpuBusy = Node("cpu-busy", freeMemory: 6L << 30, freeCpu: 1000);
        var memoryHalf = Node("memory-half", freeMemory: 4L << 30, freeCpu: 4000);

        Assert.Equal(["memory-half", "cpu-busy"], Ranked(Request("web.pod", memory: 1L << 30, cpu: 100), cpuBusy, memoryHalf));
    }

    [Fact]
    public void A_node_with_most_of_its_memory_reserved_ranks_after_one_with_more_pods()
    {
        var reserved = Node("reserved", freeMemory: 2L << 30, pods: [Pod("big.pod")]);
        var crowded = Node("crowded", pods: [Pod("x.pod"), Pod("y.pod")]);

        Assert.Equal(["crowded", "reserved"], Ranked(Web, reserved, crowded));
    }

    [Fact]
    public void A_one_off_pod_has_no_unit_to_keep_apart_from()
    {
        var run = Request("web.pod") with { UnitName = null };

        Assert.Equal(0, SpreadRanking.Load(Node("a", pods: [Pod("web.pod")]), run, 2).UnitPods);
    }

    [Fact]
    public void The_load_says_why_a_node_ranks_where_it_does()
    {
        var node = Node("b", freeMemory: 6L << 30, pods: [Pod("x.pod")]);

        Assert.Equal("b 0.75 (0 of web.pod's pods, 2 of 4 pods, 25% reserved)", SpreadRanking.Load(node, Web, 4).ToString());
    }
}
