using FleetPods.Grains.Scheduling;
using FleetPods.Grains.UnitFiles;
using static FleetPods.Grains.Tests.Scheduling.SchedulingData;

namespace FleetPods.Grains.Tests.Scheduling;

/// <summary>Each filter of the pipeline alone, on one node.</summary>
public sealed class NodeFilterTests
{
    [Theory]
    [InlineData(null, "a", null)]
    [InlineData("a", "a", null)]
    [InlineData("a", "b", "not MachineID=a")]
    public void MachineID_names_the_only_node(string? machineId, string node, string? rejection) =>
        Assert.Equal(rejection, new MachineIdFilter().Reject(Node(node), Request(machineId: machineId)));

    [Theory]
    [InlineData(null, "a", null)]
    [InlineData("a", "a", null)]
    [InlineData("a", "b", "not node a")]
    public void A_required_node_is_the_only_node(string? required, string node, string? rejection) =>
        Assert.Equal(rejection, new RequiredNodeFilter().Reject(Node(node), Request(requiredNode: required)));

    [Theory]
    [InlineData("", "disk=hdd", null)]
    [InlineData("disk=ssd", "disk=ssd,region=eu", null)]
    [InlineData("disk=ssd", "disk=hdd", "not matching MachineMetadata=disk=ssd")]
    [InlineData("disk=ssd", "region=eu", "not matching MachineMetadata=disk=ssd")]
    [InlineData("disk=ssd region=eu", "disk=ssd,region=us", "not matching MachineMetadata=region=eu")]
    [InlineData("region=eu region=us", "region=us", null)]
    [InlineData("region=eu region=us disk=ssd", "region=us", "not matching MachineMetadata=disk=ssd")]
    public void MachineMetadata_needs_every_key_and_any_value_of_a_repeated_key(string wanted, string has, string? rejection) =>
        Assert.Equal(rejection, new MachineMetadataFilter().Reject(Node("a", metadata: has), Request(metadata: wanted)));

    [Theory]
    [InlineData("web@1.pod", new[] { "web@*.pod" }, "web@2.pod", new string[0], "runs conflicting web@2.pod")]
    [InlineData("web@1.pod", new string[0], "web@2.pod", new[] { "web@*.pod" }, "runs conflicting web@2.pod")]
    [InlineData("api.pod", new[] { "web@*.pod" }, "db.pod", new[] { "cache?.pod" }, null)]
    [InlineData("cache1.pod", new string[0], "db.pod", new[] { "cache?.pod" }, "runs conflicting db.pod")]
    [InlineData("cache10.pod", new string[0], "db.pod", new[] { "cache?.pod" }, null)]
    public void Conflicts_bind_both_ways(string unit, string[] globs, string other, string[] otherGlobs, string? rejection) =>
        Assert.Equal(rejection, new ConflictsFilter().Reject(Node("a", pods: Pod(other, otherGlobs)), Request(unit, conflicts: globs)));

    [Fact]
    public void A_copy_of_a_filtered_node_with_a_conflicting_pod_added_is_rejected()
    {
        var db = Request("db.pod");
        var node = Node("a", pods: Pod("web.pod"));
        Assert.Null(new ConflictsFilter().Reject(node, db));

        var conflicting = node with { Pods = [.. node.Pods, Pod("cache.pod", "db*")] };

        Assert.Equal("runs conflicting cache.pod", new ConflictsFilter().Reject(conflicting, db));
        Assert.Null(new ConflictsFilter().Reject(node, db));
    }

    [Fact]
    public void A_pod_does_not_conflict_with_its_own_reservation()
    {
        var request = Request("web@1.pod", conflicts: ["web@*.pod"]);

        Assert.Null(new ConflictsFilter().Reject(Node("a", pods: request.AsPlaced()), request));
    }

    [Theory]
    [InlineData("a", null)]
    [InlineData("b", "not where MachineOf=db.pod runs")]
    public void MachineOf_is_the_targets_node(string node, string? rejection) =>
        Assert.Equal(rejection, new SameNodeAsFilter("MachineOf=db.pod", new HashSet<string> { "a" }).Reject(Node(node), Request(machineOf: "db.pod")));

    [Theory]
    [InlineData(Stage1Flavor.Ns, new[] { Stage1Flavor.Ns, Stage1Flavor.Fly }, null)]
    [InlineData(Stage1Flavor.Kvm, new[] { Stage1Flavor.Ns, Stage1Flavor.Kvm }, null)]
    [InlineData(Stage1Flavor.Kvm, new[] { Stage1Flavor.Ns, Stage1Flavor.Fly }, "not offering stage1 kvm")]
    [InlineData(Stage1Flavor.Ns, new[] { Stage1Flavor.Fly }, "not offering stage1 ns")]
    [InlineData(Stage1Flavor.Fly, new Stage1Flavor[0], "not offering stage1 fly")]
    public void Stage1_needs_a_node_that_offers_the_flavor(Stage1Flavor wanted, Stage1Flavor[] offered, string? rejection) =>
        Assert.Equal(rejection, new Stage1Filter().Reject(Node("a", flavors: offered), Request(stage1: wanted)));

    [Theory]
    [InlineData(1L << 30, 100, null)]
    [InlineData(3L << 30, 100, "lack 3 GiB free memory")]
    [InlineData(1L << 30, 900, "lack 900m free CPU")]
    public void Resources_must_fit_what_is_free(long memory, int cpu, string? rejection) =>
        Assert.Equal(rejection, new ResourceFitFilter().Reject(Node("a", freeMemory: 2L << 30, freeCpu: 500), Request(memory: memory, cpu: cpu)));
}
