using static FleetPods.Grains.Tests.Fleet.FleetCluster;

namespace FleetPods.Grains.Tests.Fleet;

/// <summary>
/// An agent's pod reports, many in one call to its node grain with its attach session: each reaches its pod, and only
/// the agent that proved its node speaks for that node's pods (the fake agents report this way too, so every agent
/// test's pods run through it).
/// </summary>
public sealed class AgentPodReportTests
{
    [Fact]
    public async Task A_batch_of_reports_reaches_each_pod_and_one_with_a_stale_session_is_refused()
    {
        await using var fleet = await FleetCluster.Start("role=server");
        await using var a = await FakeNodeAgent.Attach(fleet.Client, "agent-a", "role=agent");
        var unit = await fleet.Start("batch.pod", pod: "Count=3\nRestart=no", fleet: FakeNodeAgent.OnAgents);
        var running = await Until(unit, pods => Running(pods).Count == 3, "three pods running on agent-a");
        var node = fleet.Client.GetGrain<INodeGrain>("agent-a");
        RuntimePod[] exited = [.. running.Pods.Select(p => new RuntimePod(p.Id, PodPhase.Exited, 3, null, DateTimeOffset.UtcNow))];

        Assert.False(await node.ReportPods(new string('0', a.Session!.Length), exited));
        Assert.All(await Statuses(fleet, running), s => Assert.Equal(PodPhase.Running, s!.Phase));

        Assert.True(await node.ReportPods(a.Session!, exited));
        Assert.All(await Statuses(fleet, running), s => Assert.Equal((PodPhase.Exited, (int?)3), (s!.Phase, s.ExitCode)));

        var tooMany = await Assert.ThrowsAsync<FleetPodsException>(() => node.ReportPods(a.Session!, [.. Enumerable.Repeat(exited[0], INodeGrain.MaxPodReports + 1)]));
        Assert.Contains($"at most {INodeGrain.MaxPodReports} pod reports", tooMany.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_agent_cannot_report_a_pod_of_another_node()
    {
        await using var fleet = await FleetCluster.Start("role=server");
        await using var a = await FakeNodeAgent.Attach(fleet.Client, "agent-a", "role=agent");
        await using var b = await FakeNodeAgent.Attach(fleet.Client, "agent-b", "role=agent");
        var unit = await fleet.Start("two.pod", pod: "Count=2\nRestart=no", fleet: FakeNodeAgent.OnAgents);
        var running = await Until(unit, pods => Running(pods).Count == 2, "a pod running on each agent");
        var onB = running.Pods.Single(p => p.NodeName == "agent-b");

        Assert.True(await fleet.Client.GetGrain<INodeGrain>("agent-a").ReportPods(a.Session!, [new RuntimePod(onB.Id, PodPhase.Failed, null, "forged", DateTimeOffset.UtcNow)]));

        var status = await fleet.Client.GetGrain<IPodGrain>(onB.Id).GetStatus();
        Assert.Equal((PodPhase.Running, "agent-b"), (status!.Phase, status.NodeName));
    }

    private static Task<PodStatus?[]> Statuses(FleetCluster fleet, UnitStatus unit) =>
        Task.WhenAll(unit.Pods.Select(p => fleet.Client.GetGrain<IPodGrain>(p.Id).GetStatus()));
}
