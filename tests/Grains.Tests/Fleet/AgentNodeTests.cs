using FleetPods.Grains.Tests.Cluster;
using static FleetPods.Grains.Tests.Fleet.FleetCluster;

namespace FleetPods.Grains.Tests.Fleet;

/// <summary>
/// Machines that are not silos: agents attached to node grains on the servers through an observer, alive by their
/// heartbeats. The servers (the test cluster's silos) are nodes too, kept out of these units by their metadata.
/// </summary>
public sealed class AgentNodeTests
{
    [Fact]
    public async Task Pods_placed_on_attached_agents_run_there_and_a_silos_node_takes_no_agent()
    {
        await using var fleet = await FleetCluster.Start("role=server");
        await using var a = await FakeNodeAgent.Attach(fleet.Client, "agent-a", "role=agent");
        await using var b = await FakeNodeAgent.Attach(fleet.Client, "agent-b", "role=agent");

        var unit = await fleet.Start("web.pod", pod: "Count=4", fleet: FakeNodeAgent.OnAgents);
        var status = await Until(unit, pods => Running(pods).Count == 4, "four pods running on the agents");

        Assert.Equal(["agent-a", "agent-a", "agent-b", "agent-b"], status.Pods.Select(p => p.NodeName!).Order(StringComparer.Ordinal));
        Assert.Equal(status.Pods.Where(p => p.NodeName == "agent-a").Select(p => p.Id).Order(), a.Pods.Keys.Order());
        Assert.Equal(status.Pods.Where(p => p.NodeName == "agent-b").Select(p => p.Id).Order(), b.Pods.Keys.Order());
        var nodes = await fleet.Client.GetGrain<IClusterGrain>(IClusterGrain.Key).GetNodes();
        Assert.Equal([("agent-a", NodeLiveness.Up, 2), ("agent-b", NodeLiveness.Up, 2)],
            nodes.Where(n => n.Name.StartsWith("agent-", StringComparison.Ordinal)).Select(n => (n.Name, n.Liveness, n.Info!.PodCount)));

        var refused = await Assert.ThrowsAsync<AttachRefusedException>(() => FakeNodeAgent.Attach(fleet.Client, fleet.Nodes[0], "role=agent"));
        Assert.Contains("is a silo of the cluster", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_pod_its_agent_took_is_preparing_though_the_agent_reports_nothing_until_it_runs()
    {
        await using var fleet = await FleetCluster.Start("role=server");
        await using var agent = await FakeNodeAgent.Attach(fleet.Client, "agent-a", "role=agent");
        agent.StartsPods = false;

        var unit = await fleet.Start("slow.pod", fleet: FakeNodeAgent.OnAgents);

        var pod = Assert.Single((await unit.GetStatus())!.Pods);

        Assert.Equal((PodPhase.Preparing, "agent-a"), (pod.Phase, pod.NodeName));
        await Eventually.Until(() => Task.FromResult(agent.Pods.ContainsKey(pod.Id)), taken => taken, "agent-a taking the pod");
        Assert.Equal(PodPhase.Preparing, (await fleet.Client.GetGrain<IPodGrain>(pod.Id).GetStatus())!.Phase);
    }

    [Fact]
    public async Task An_agent_that_stops_beating_is_down_its_pods_run_elsewhere_and_when_it_attaches_again_they_are_stopped_on_it()
    {
        await using var fleet = await FleetCluster.Start("role=server");
        await using var a = await FakeNodeAgent.Attach(fleet.Client, "agent-a", "role=agent");
        await using var b = await FakeNodeAgent.Attach(fleet.Client, "agent-b", "role=agent");
        var unit = await fleet.Start("web.pod", pod: "Count=2", fleet: FakeNodeAgent.OnAgents);
        var before = await Until(unit, pods => Running(pods).Count == 2, "two pods running");
        var moved = before.Pods.Single(p => p.NodeName == "agent-a").Id;

        await a.Silence();
        var after = await Until(unit, pods => Running(pods).Count == 2 && pods.All(p => p.NodeName == "agent-b"), "both pods running on agent-b");
        Assert.DoesNotContain(after.Pods, p => p.Id == moved);
        var cluster = fleet.Client.GetGrain<IClusterGrain>(IClusterGrain.Key);
        var live = new KeyRegistry(fleet.Client, RegistryKind.Nodes);
        var down = fleet.Client.GetGrain<IDownNodesGrain>(IDownNodesGrain.Key);
        Assert.Equal(NodeLiveness.Down, (await cluster.GetNodes()).Single(n => n.Name == "agent-a").Liveness);
        Assert.DoesNotContain("agent-a", await live.List());
        Assert.Equal(["agent-a"], await down.List());
        Assert.True(a.Pods.ContainsKey(moved), "a cut-off agent keeps running its pod");

        a.Resume();
        // The pod is stopped while the attach call is under way, so the attach is counted a moment after.
        await Eventually.Until(() => Task.FromResult((Held: a.Pods.ContainsKey(moved), a.Attachments)), s => !s.Held && s.Attachments == 2,
            "the moved pod stopped on agent-a once it attached again");
        Assert.Equal(NodeLiveness.Up, (await cluster.GetNodes()).Single(n => n.Name == "agent-a").Liveness);
        Assert.Contains("agent-a", await live.List());
        Assert.Empty(await down.List());
        Assert.All((await unit.GetStatus())!.Pods, p => Assert.Equal("agent-b", p.NodeName));
    }

    // Nothing in the cluster's membership changes as an agent comes and goes: its node going up is what tells the unit.
    [Fact]
    public async Task A_global_unit_gains_a_pod_on_an_agent_that_attaches_later_and_again_on_one_that_returns()
    {
        await using var fleet = await FleetCluster.Start("role=server");
        await using var a = await FakeNodeAgent.Attach(fleet.Client, "agent-a", "role=agent");
        var unit = await fleet.Start("everywhere.pod", fleet: "Global=true\n" + FakeNodeAgent.OnAgents);
        await Until(unit, pods => Running(pods).Count == 1, "the pod running on agent-a");

        await using var b = await FakeNodeAgent.Attach(fleet.Client, "agent-b", "role=agent");
        var both = await Until(unit, pods => Running(pods).Count == 2, "a pod on agent-b too, which attached after the unit started");
        Assert.Equal(["agent-a", "agent-b"], both.Pods.Select(p => p.NodeName!).Order(StringComparer.Ordinal));

        await b.Silence();
        await Until(unit, pods => pods.Count == 1 && Running(pods).Count == 1, "agent-b's pod gone once agent-b is down");
        b.Resume();
        var again = await Until(unit, pods => Running(pods).Count == 2, "a pod on agent-b again once it returned");
        Assert.Equal(["agent-a", "agent-b"], again.Pods.Where(p => p.Phase == PodPhase.Running).Select(p => p.NodeName!).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_pod_restarting_on_its_node_goes_elsewhere_once_that_node_is_down()
    {
        await using var fleet = await FleetCluster.Start("role=server");
        await using var a = await FakeNodeAgent.Attach(fleet.Client, "agent-a", "role=agent");
        var unit = await fleet.Start("flaky.pod", pod: "Restart=always", fleet: FakeNodeAgent.OnAgents);
        await Until(unit, pods => Running(pods).Count == 1, "the pod running on agent-a");

        // Its launches fail from now on, so each restart on agent-a (pinned there while it is up) fails too.
        a.FailsLaunches = true;
        var first = (await unit.GetStatus())!.Pods.Single();
        await fleet.Client.GetGrain<IPodGrain>(first.Id).ReportState(new PodStateReport("agent-a", PodPhase.Exited, 1, null, DateTimeOffset.UtcNow));
        await Until(unit, pods => pods.Any(p => p.Id != first.Id && p.HasEnded), "a restart on agent-a that failed");
        await using var b = await FakeNodeAgent.Attach(fleet.Client, "agent-b", "role=agent");
        await a.Silence();

        var moved = await Until(unit, pods => Running(pods).Count == 1, "the pod running again once agent-a is down");
        Assert.Equal("agent-b", moved.Pods.Single(p => p.Phase == PodPhase.Running).NodeName);
    }
}
