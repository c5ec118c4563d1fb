using FleetPods.Grains.Scheduling;
using FleetPods.Grains.UnitFiles;
using static FleetPods.Grains.Tests.Scheduling.SchedulingData;

namespace FleetPods.Grains.Tests.Scheduling;

public sealed class PlacementPipelineTests
{
    private static PlacementPlan Plan(PlacementRequest request, IReadOnlySet<string>? sameNodeAs, params (string, NodeInfo?)[] nodes) =>
        PlacementPipeline.For(request, sameNodeAs).Plan(nodes, request);

    [Fact]
    public void Feasible_nodes_are_ranked_by_load_then_by_name()
    {
        var plan = Plan(Request(memory: 1L << 30, cpu: 100), null,
            ("c", Node("c", freeMemory: 1L << 30)), ("b", Node("b", freeMemory: 4L << 30)), ("a", Node("a", freeMemory: 4L << 30)), ("d", Node("d", freeMemory: 4L << 30, freeCpu: 1000)));

        // c's memory would be full, d's CPU three quarters reserved, a's and b's memory five eighths.
        Assert.Equal(["a", "b", "d", "c"], plan.Candidates.Select(n => n.Name));
        Assert.Empty(plan.Rejections);
    }

    [Fact]
    public void Every_rejected_node_is_counted_under_its_reason()
    {
        var plan = Plan(Request(memory: 2L << 30, cpu: 500, metadata: "disk=ssd"), null,
            ("small", Node("small", freeMemory: 1L << 30, metadata: "disk=ssd")), ("busy", Node("busy", freeCpu: 100, metadata: "disk=ssd")),
            ("gone", null), ("hdd", Node("hdd", metadata: "disk=hdd")), ("fits", Node("fits", freeMemory: 3L << 30, metadata: "disk=ssd")));

        Assert.Equal(["fits"], plan.Candidates.Select(n => n.Name));
        Assert.Equal(1, plan.Rejections["lack 2 GiB free memory"]);
        Assert.Equal(1, plan.Rejections["lack 500m free CPU"]);
        Assert.Equal(1, plan.Rejections["unreachable"]);
        Assert.Equal(1, plan.Rejections["not matching MachineMetadata=disk=ssd"]);
    }

    [Fact]
    public void Matching_nodes_without_room_are_explained_as_fleet_users_read_it()
    {
        var plan = Plan(Request(memory: 2L << 30, metadata: "disk=ssd"), null,
            ("a", Node("a", freeMemory: 1L << 30, metadata: "disk=ssd")), ("b", Node("b", freeMemory: 1L << 30, metadata: "disk=ssd")),
            ("c", Node("c", freeMemory: 1L << 30, metadata: "disk=ssd")), ("d", Node("d", metadata: "disk=hdd")));

        Assert.Equal("no node with 2 GiB free memory among 3 matching MachineMetadata=disk=ssd", plan.ExplainNoFit());
    }

    [Fact]
    public void Without_rules_the_explanation_counts_nodes_and_names_other_reasons()
    {
        var plan = Plan(Request(memory: 2L << 30), null, ("a", Node("a", freeMemory: 1L << 30)), ("b", Node("b", freeMemory: 1L << 30)), ("c", null));

        Assert.Equal("no node with 2 GiB free memory among 2 nodes (other nodes: 1 unreachable)", plan.ExplainNoFit());
    }

    [Fact]
    public void No_matching_node_names_the_rule_and_each_reason()
    {
        var plan = Plan(Request(machineId: "x"), null, ("a", Node("a")), ("b", Node("b")));

        Assert.Equal("no node matches MachineID=x among 2 nodes: 2 not MachineID=x", plan.ExplainNoFit());
    }

    [Fact]
    public void A_flavor_no_node_offers_is_named_as_the_rule_it_is()
    {
        var plan = Plan(Request(stage1: Stage1Flavor.Kvm), null,
            ("a", Node("a", flavors: [Stage1Flavor.Ns, Stage1Flavor.Fly])), ("b", Node("b", flavors: [Stage1Flavor.Ns])), ("c", Node("c", flavors: [Stage1Flavor.Ns])));

        Assert.Empty(plan.Candidates);
        Assert.Equal("no node matches Stage1=kvm among 3 nodes: 3 not offering stage1 kvm", plan.ExplainNoFit());
    }

    [Fact]
    public void Only_the_nodes_offering_the_flavor_are_candidates_and_their_lack_of_room_is_explained()
    {
        var request = Request(memory: 2L << 30, stage1: Stage1Flavor.Kvm);

        var placed = Plan(request, null, ("a", Node("a", flavors: [Stage1Flavor.Ns])), ("b", Node("b", flavors: [Stage1Flavor.Ns, Stage1Flavor.Kvm])));
        var full = Plan(request, null, ("a", Node("a", flavors: [Stage1Flavor.Ns])), ("b", Node("b", freeMemory: 1L << 30, flavors: [Stage1Flavor.Kvm])));

        Assert.Equal(["b"], placed.Candidates.Select(n => n.Name));
        Assert.Equal("no node with 2 GiB free memory among 1 matching Stage1=kvm", full.ExplainNoFit());
    }

    [Fact]
    public void MachineOf_keeps_only_the_targets_nodes()
    {
        var plan = Plan(Request(machineOf: "db.pod"), new HashSet<string> { "b" }, ("a", Node("a")), ("b", Node("b")));

        Assert.Equal(["b"], plan.Candidates.Select(n => n.Name));
        Assert.Equal(1, plan.Rejections["not where MachineOf=db.pod runs"]);
    }

    [Fact]
    public void An_empty_cluster_says_so()
    {
        Assert.Equal("no node has joined the cluster", Plan(Request(), null).ExplainNoFit());
    }

    [Theory]
    [InlineData(512, "512 B")]
    [InlineData(1536, "1.5 KiB")]
    [InlineData(268435456, "256 MiB")]
    [InlineData(5368709120, "5 GiB")]
    public void Byte_counts_read_in_binary_units(long bytes, string expected) => Assert.Equal(expected, ByteCount.Format(bytes));

    [Fact]
    public void A_sampled_walk_starts_where_it_is_told_wraps_around_and_stops_at_its_limit()
    {
        var request = Request();
        (string, NodeInfo?)[] nodes = [("a", Node("a")), ("b", Node("b")), ("c", null), ("d", Node("d")), ("e", Node("e"))];

        var plan = PlacementPipeline.For(request, null).Plan(nodes, request, start: 3, limit: 3);

        // d, e, then a: the walk wraps, and b is never weighed.
        Assert.Equal(["a", "d", "e"], plan.Candidates.Select(n => n.Name));
        Assert.Empty(plan.Rejections);
    }

    [Fact]
    public void A_sampled_walk_that_finds_no_fit_has_weighed_every_node_for_its_reason()
    {
        var request = Request(memory: 16L << 30);
        (string, NodeInfo?)[] nodes = [("a", Node("a")), ("b", Node("b")), ("c", null)];

        var plan = PlacementPipeline.For(request, null).Plan(nodes, request, start: 2, limit: 1);

        Assert.Empty(plan.Candidates);
        Assert.Equal("no node with 16 GiB free memory among 2 nodes (other nodes: 1 unreachable)", plan.ExplainNoFit());
    }
}
