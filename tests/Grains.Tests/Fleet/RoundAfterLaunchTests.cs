using Microsoft.Extensions.Time.Testing;
using static FleetPods.Grains.Tests.Fleet.FleetCluster;

namespace FleetPods.Grains.Tests.Fleet;

/// <summary>
/// A node's round lists what its machine ran when the round was made, which may be before a launch that reached the
/// machine while the round was on its way: the pod it lacks was just launched, not lost. Once the grace a call's
/// longest wait gives is over, a preparing pod the machine does not list is lost as a running one is at once.
/// </summary>
public sealed class RoundAfterLaunchTests
{
    [Fact]
    public async Task A_round_made_before_a_launch_loses_the_preparing_pod_only_once_the_grace_is_over()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var fleet = await FleetCluster.Start(clock, "slot=1");
        var node = fleet.Nodes[0];
        fleet.Machine(node).StartsPods = false;
        var unit = await fleet.Start("slow.pod", pod: "Restart=no");
        var pod = (await Until(unit, pods => pods is [{ Phase: PodPhase.Preparing }], "its pod preparing")).Pods[0];
        var grain = fleet.Client.GetGrain<INodeGrain>(node);

        // The round's list was made a moment before the launch reached the machine: it holds nothing yet.
        await grain.ReconcilePods([]);
        var kept = await fleet.Client.GetGrain<IPodGrain>(pod.Id).GetStatus();
        Assert.Equal((PodPhase.Preparing, false), (kept!.Phase, kept.IsLost));
        Assert.Contains(pod.Id, await grain.ListPods());

        clock.Advance(TimeSpan.FromSeconds(31));
        await grain.ReconcilePods([]);
        await LostAndReplaced(fleet, unit, pod.Id, node);
    }

    // Lost, and so replaced by its unit, which may have removed it by the time it is read.
    private static async Task LostAndReplaced(FleetCluster fleet, IUnitGrain unit, string podId, string node)
    {
        var lost = await fleet.Client.GetGrain<IPodGrain>(podId).GetStatus();
        Assert.True(lost is null || (lost.Phase, lost.IsLost, lost.Reason) == (PodPhase.Failed, true, $"lost: node {node} does not run it"), $"the pod lost, or removed once replaced: {lost}");
        await Until(unit, pods => pods.Count == 1 && pods[0].Id != podId, "the pod replaced");
    }
}
