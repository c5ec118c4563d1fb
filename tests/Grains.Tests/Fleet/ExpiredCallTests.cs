using FleetPods.Grains.Pods;

namespace FleetPods.Grains.Tests.Fleet;

/// <summary>
/// Right after a server dies, Orleans answers a call whose message expired before its target grain could be placed
/// with an <see cref="OperationCanceledException"/>, not an <c>OrleansException</c>. Placement, a unit's reconcile and
/// a pod's removal take it for what it is, a call that went unanswered: the node is left out, the unit tries again,
/// the pod is forgotten without cleaning its node.
/// </summary>
public sealed class ExpiredCallTests
{
    [Fact]
    public async Task A_node_whose_reservation_call_expired_is_left_out_and_the_pod_placed_on_another()
    {
        await using var fleet = await FleetCluster.Start("role=server", "role=server");

        // Both nodes are empty, so the first by name is ranked first and asked first.
        var expired = fleet.Nodes.Order(StringComparer.Ordinal).First();
        fleet.CallFaults.Expire(call => call.InterfaceMethod.Name == nameof(INodeGrain.Reserve) && call.TargetId.Key.ToString() == expired);

        var unit = await fleet.Start("expired-node.pod");

        var running = await FleetCluster.Until(unit, pods => FleetCluster.Running(pods).Count == 1, "the unit's pod running");
        Assert.NotEqual(expired, running.Pods.Single().NodeName);
    }

    [Fact]
    public async Task A_pod_whose_nodes_remove_call_expired_is_destroyed_all_the_same()
    {
        await using var fleet = await FleetCluster.Start("role=server");
        var running = await FleetCluster.Until(await fleet.Start("expired-remove.pod"), pods => FleetCluster.Running(pods).Count == 1, "the unit's pod running");
        var pod = fleet.Client.GetGrain<IPodGrain>(running.Pods.Single().Id);
        fleet.CallFaults.Expire(call => call.InterfaceMethod.Name == nameof(INodeGrain.RemovePod));

        // As when its node's server just died: the pod is forgotten without cleaning its node, not left half-removed.
        await pod.Destroy(TimeSpan.Zero);

        Assert.Null(await pod.GetStatus());
    }

    [Fact]
    public async Task A_unit_whose_start_met_an_expired_call_makes_its_pods_once_calls_go_through_without_another_command()
    {
        await using var fleet = await FleetCluster.Start("role=server");
        fleet.CallFaults.Expire(call => call.InterfaceMethod.Name == nameof(IListedPodCreation.CreateListed));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => fleet.Start("expired-create.pod", pod: "Count=2"));

        fleet.CallFaults.Heal();

        var running = await FleetCluster.Until(fleet.Unit("expired-create.pod"), pods => FleetCluster.Running(pods).Count == 2, "the unit's two pods running, made by its own retry");
        Assert.Equal(2, running.Pods.Count);
    }
}
