using FleetPods.Grains.Tests.Cluster;
using FleetPods.Grains.UnitFiles;

namespace FleetPods.Grains.Tests.Fleet;

/// <summary>
/// A new pod's listing (a batch of a unit's at a time, or a one-off pod's while it is placed) is written while other
/// steps go on: a write that storage refuses must still leave no pod running, listed or holding room that was not kept.
/// (A node's reservations are not written at all: <see cref="ReservationRebuildTests"/>.)
/// </summary>
public sealed class UnstoredPlacementTests
{
    [Fact]
    public async Task A_pod_its_registry_did_not_list_is_not_made_and_gives_back_the_room_it_was_placed_in()
    {
        await using var fleet = await FleetCluster.Start("role=server");
        var node = fleet.Nodes[0];
        fleet.StorageFaults.RefuseWrites(key => key.StartsWith("registry", StringComparison.Ordinal) && key.Contains("/pods/", StringComparison.Ordinal));
        var parsed = UnitFileParser.Parse("run.pod", "[Pod]\nImage=example.com/busybox\nExec=/bin/sleep 1000\n");
        Assert.True(parsed.Succeeded, string.Join("; ", parsed.Errors));
        var pod = fleet.Client.GetGrain<IPodGrain>("unlisted-pod");

        var refused = await Assert.ThrowsAsync<FleetPodsException>(() => pod.Create(new PodSpec(null, parsed.Unit!.Pod), null, start: true, requiredNode: null));
        Assert.Contains("refused", refused.Message, StringComparison.Ordinal);
        Assert.Null(await pod.GetStatus());
        await Eventually.Until(() => fleet.Client.GetGrain<INodeGrain>(node).ListPods(), pods => pods.Count == 0, "the node's reservation given back");
        Assert.Empty(fleet.Machine(node).Launched);
    }

    [Fact]
    public async Task A_unit_whose_new_pods_the_registry_did_not_list_makes_none_of_them_and_makes_them_when_started_again()
    {
        await using var fleet = await FleetCluster.Start("role=server");
        var node = fleet.Nodes[0];
        fleet.StorageFaults.RefuseWrites(key => key.StartsWith("registry", StringComparison.Ordinal) && key.Contains("/pods/", StringComparison.Ordinal));

        var refused = await Assert.ThrowsAsync<FleetPodsException>(() => fleet.Start("unlisted-unit.pod", pod: "Count=3"));
        Assert.Contains("refused", refused.Message, StringComparison.Ordinal);
        var unit = fleet.Unit("unlisted-unit.pod");
        Assert.Empty((await unit.GetStatus())!.Pods);
        Assert.Empty(await fleet.Client.GetGrain<INodeGrain>(node).ListPods());
        Assert.Empty(fleet.Machine(node).Launched);

        fleet.StorageFaults.Heal();
        await unit.Start();
        var running = await FleetCluster.Until(unit, pods => FleetCluster.Running(pods).Count == 3, "the unit's three pods running");
        var listed = await new KeyRegistry(fleet.Client, RegistryKind.Pods).List();
        Assert.Equal(running.Pods.Select(p => p.Id).Order(StringComparer.Ordinal), listed);
    }

    [Fact]
    public async Task A_unit_whose_start_failed_to_list_its_pods_makes_them_once_storage_heals_without_another_command()
    {
        await using var fleet = await FleetCluster.Start("role=server");
        fleet.StorageFaults.RefuseWrites(key => key.StartsWith("registry", StringComparison.Ordinal) && key.Contains("/pods/", StringComparison.Ordinal));
        await Assert.ThrowsAsync<FleetPodsException>(() => fleet.Start("retried-unit.pod", pod: "Count=2"));

        fleet.StorageFaults.Heal();

        var running = await FleetCluster.Until(fleet.Unit("retried-unit.pod"), pods => FleetCluster.Running(pods).Count == 2, "the unit's two pods running, made by its own retry");
        Assert.Equal(2, running.Pods.Count);
    }

    [Fact]
    public async Task A_started_pod_whose_first_write_failed_is_forgotten_its_unit_makes_another_and_its_node_stops_it()
    {
        await using var fleet = await FleetCluster.Start("role=server");
        var node = fleet.Nodes[0];
        string? first = null;
        fleet.StorageFaults.RefuseWrites(key => key.StartsWith("pod/", StringComparison.Ordinal) && (Interlocked.CompareExchange(ref first, key, null) ?? key) == key);

        var unit = await fleet.Start("unstored-pod.pod");

        // The first pod runs before its write is refused (the test's storage writes a moment later), so its unit may
        // show it running first.
        var running = await FleetCluster.Until(
            unit, pods => first is { } refused && FleetCluster.Running(pods) is [var one] && !refused.EndsWith(one.Id, StringComparison.Ordinal), "a second pod running");
        var lost = first!.Split('/')[^1];
        Assert.Null(await fleet.Client.GetGrain<IPodGrain>(lost).GetStatus());
        Assert.True(fleet.Machine(node).Launched.ContainsKey(lost), "the first pod was launched before its write");

        // As the node's agent does every NodeAgent.ReconcilePeriod: it tells the node grain what its machine runs.
        var machine = fleet.Machine(node);
        await fleet.Client.GetGrain<INodeGrain>(node).ReconcilePods([.. machine.Launched.Keys.Select(id => new RuntimePod(id, PodPhase.Running, null, null, DateTimeOffset.UtcNow))]);
        var second = FleetCluster.Running(running.Pods).Single().Id;
        Assert.Equal([second], machine.Launched.Keys);
        Assert.Equal([second], await fleet.Client.GetGrain<INodeGrain>(node).ListPods());
    }
}
