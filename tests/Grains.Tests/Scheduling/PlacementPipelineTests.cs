using FleetPods.Grains.Scheduling;

namespace FleetPods.Grains.Tests.Scheduling;

public sealed class PlacementPipelineTests
{
    private static NodeInfo Node(string name, long freeMemory, int freeCpu = 4000) => new(
        name, name, new Dictionary<string, string>(), new ResourceRequest(8L << 30, 4000),
        new ResourceRequest((8L << 30) - freeMemory, 4000 - freeCpu), 0, ["ns"], DateTimeOffset.UnixEpoch);

    [Fact]
    public void Feasible_nodes_are_ranked_by_most_free_memory_then_by_name()
    {
        var plan = PlacementPipeline.Default.Plan(
            [("c", Node("c", 1L << 30)), ("b", Node("b", 4L << 30)), ("a", Node("a", 4L << 30))],
            new ResourceRequest(1L << 30, 100));

        Assert.Equal(["a", "b", "c"], plan.Candidates.Select(n => n.Name));
        Assert.Empty(plan.Rejections);
    }

    [Fact]
    public void Every_rejected_node_is_counted_under_its_reason()
    {
        var plan = PlacementPipeline.Default.Plan(
            [("small", Node("small", 1L << 30)), ("busy", Node("busy", 4L << 30, freeCpu: 100)), ("gone", null), ("fits", Node("fits", 3L << 30))],
            new ResourceRequest(2L << 30, 500));

        Assert.Equal(["fits"], plan.Candidates.Select(n => n.Name));
        Assert.Equal(1, plan.Rejections["lack 2 GiB free memory"]);
        Assert.Equal(1, plan.Rejections["lack 500m free CPU"]);
        Assert.Equal(1, plan.Rejections["unreachable"]);
    }

    [Fact]
    public void No_fit_is_explained_with_the_counts()
    {
        var plan = PlacementPipeline.Default.Plan(
            [("a", Node("a", 1L << 30)), ("b", Node("b", 1L << 30)), ("c", null)],
            new ResourceRequest(2L << 30, 0));

        Assert.Equal("no node fits among 3 nodes: 2 lack 2 GiB free memory, 1 unreachable", plan.ExplainNoFit());
    }

    [Fact]
    public void An_empty_cluster_says_so()
    {
        Assert.Equal("no node has joined the cluster", PlacementPipeline.Default.Plan([], new ResourceRequest(0, 0)).ExplainNoFit());
    }

    [Theory]
    [InlineData(512, "512 B")]
    [InlineData(1536, "1.5 KiB")]
    [InlineData(268435456, "256 MiB")]
    [InlineData(5368709120, "5 GiB")]
    public void Byte_counts_read_in_binary_units(long bytes, string expected) => Assert.Equal(expected, ByteCount.Format(bytes));
}
