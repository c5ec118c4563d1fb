using FleetPods.Grains.Cluster;
using FleetPods.Grains.Pods;
using FleetPods.Grains.Tests.Cluster;
using Microsoft.Extensions.Logging.Abstractions;
using Orleans.Core.Internal;
using static FleetPods.Grains.Tests.Fleet.FleetCluster;

namespace FleetPods.Grains.Tests.Fleet;

/// <summary>
/// A node's reservations are not stored: after its grain lost them (every grain deactivated here, as on a server that
/// restarted; the state storage outlives them), its pods claim their room again, and a node that died meanwhile loses them.
/// </summary>
public sealed class ReservationRebuildTests
{
    [Fact]
    public async Task A_pod_of_an_agent_that_died_while_its_grains_were_gone_claims_its_room_and_is_lost_with_the_node()
    {
        await using var fleet = await FleetCluster.Start("role=server");
        await using var agent = await FakeNodeAgent.Attach(fleet.Client, "agent-a", "role=agent");
        var (unit, pod) = await OnePodOnAnAgentThatDiesWithEveryGrain(fleet, agent, "claimed.pod");

        // Reading the unit activates its pod again, which claims its room on agent-a; that node's grain waits for its
        // agent, hears nothing, and declares it down with the pods it holds.
        await LostAndReplaced(fleet, unit, pod, "the pod lost with its node, and replaced");
    }

    [Fact]
    public async Task A_pod_that_activates_after_its_node_was_declared_down_is_lost()
    {
        await using var fleet = await FleetCluster.Start("role=server");
        await using var agent = await FakeNodeAgent.Attach(fleet.Client, "agent-a", "role=agent");
        var (unit, pod) = await OnePodOnAnAgentThatDiesWithEveryGrain(fleet, agent, "late-claim.pod");
        var node = fleet.Client.GetGrain<INodeGrain>("agent-a");
        await Eventually.Until(() => node.GetStatus(), s => s.Liveness == NodeLiveness.Down, "agent-a's grain declaring it down, holding no pod");
        Assert.Empty(await node.ListPods());

        // Its unit reads it, so it activates and claims its room on a node that is down.
        await LostAndReplaced(fleet, unit, pod, "the pod lost once it claimed its room, and replaced");
    }

    [Fact]
    public async Task A_node_grain_that_lost_its_reservations_holds_its_pods_again_when_its_agent_attaches()
    {
        await using var fleet = await FleetCluster.Start("role=server");
        await using var agent = await FakeNodeAgent.Attach(fleet.Client, "agent-a", "role=agent");
        var unit = await fleet.Start("adopted.pod", pod: "Count=2", fleet: FakeNodeAgent.OnAgents);
        var running = Running((await Until(unit, pods => Running(pods).Count == 2, "two pods running")).Pods);
        var node = fleet.Client.GetGrain<INodeGrain>("agent-a");
        var attachments = agent.Attachments;

        // Only the node's grain goes; its pods' grains stay active, so none claims its room as it activates.
        await node.AsReference<IGrainManagementExtension>().DeactivateOnIdle();

        // Its agent's next beat is refused by the new grain, so it attaches again with its pods, which the grain adopts.
        await Eventually.Until(() => node.ListPods(), pods => pods.Count == 2, "agent-a's grain holding its two pods again");
        Assert.Equal(running.Select(p => p.Id).Order(StringComparer.Ordinal), await node.ListPods());
        Assert.True(agent.Attachments > attachments, "the agent attached again");
        Assert.Equal(2, Running((await unit.GetStatus())!.Pods).Count);
    }

    [Fact]
    public async Task A_pod_whose_node_grain_died_with_its_agent_while_its_own_grain_lived_on_is_lost_once_pods_renew_their_claims()
    {
        await using var fleet = await FleetCluster.Start("role=server");
        await using var agent = await FakeNodeAgent.Attach(fleet.Client, "agent-a", "role=agent");
        var unit = await fleet.Start("renewed.pod", fleet: FakeNodeAgent.OnAgents);
        var pod = Assert.Single(Running((await Until(unit, pods => Running(pods).Count == 1, "the pod running")).Pods));

        // The node's grain goes with its server while its agent dies; the pod's grain, on another server, stays active,
        // so it claims nothing as it would activating, and no attach or round will tell the node's next grain of it.
        await agent.Silence();
        await fleet.Client.GetGrain<INodeGrain>("agent-a").AsReference<IGrainManagementExtension>().DeactivateOnIdle();

        // As the membership reconciler does once the server is declared dead.
        await PodClaimRenewal.RenewAll(fleet.Client, NullLogger.Instance, CancellationToken.None);

        await LostAndReplaced(fleet, unit, pod, "the pod lost with its node once it claimed its room again, and replaced");
    }

    [Fact]
    public async Task A_pod_runs_though_its_node_cannot_write_for_a_node_stores_no_reservation()
    {
        await using var fleet = await FleetCluster.Start("role=server");
        var node = fleet.Nodes[0];
        fleet.StorageFaults.RefuseWrites(key => key.StartsWith("node/", StringComparison.Ordinal));

        var unit = await fleet.Start("unstored-reservation.pod");

        var running = await Until(unit, pods => Running(pods).Count == 1, "the pod running");
        Assert.Equal([running.Pods[0].Id], await fleet.Client.GetGrain<INodeGrain>(node).ListPods());
    }

    // A unit's one pod running on the agent, then the agent silenced and every grain deactivated, as a server restart
    // during which the agent's machine died would leave them.
    private static async Task<(IUnitGrain Unit, PodStatus Pod)> OnePodOnAnAgentThatDiesWithEveryGrain(FleetCluster fleet, FakeNodeAgent agent, string unitName)
    {
        var unit = await fleet.Start(unitName, fleet: FakeNodeAgent.OnAgents);
        var pod = Assert.Single(Running((await Until(unit, pods => Running(pods).Count == 1, "the pod running")).Pods));
        await agent.Silence();

        // A grain busy at that moment (the pod still writing its running) is not collected: asked again until none is left.
        var management = fleet.Client.GetGrain<IManagementGrain>(0);
        await Eventually.Until(
            async () =>
            {
                await management.ForceActivationCollection(TimeSpan.Zero);
                return (await management.GetSimpleGrainStatistics()).Where(s => s.GrainType.Contains(nameof(PodGrain), StringComparison.Ordinal)).Sum(s => s.ActivationCount);
            },
            active => active == 0,
            "no pod grain active");
        return (unit, pod);
    }

    // Its unit replaced it (the agents left hold no room for the replacement, so it stays pending), and it is lost, or
    // removed once replaced.
    private static async Task LostAndReplaced(FleetCluster fleet, IUnitGrain unit, PodStatus pod, string what)
    {
        await Until(unit, pods => pods.Count == 1 && pods[0].Id != pod.Id, what);
        Assert.True(await fleet.Client.GetGrain<IPodGrain>(pod.Id).GetStatus() is null or { IsLost: true }, "the pod lost, or removed once replaced");
    }
}
