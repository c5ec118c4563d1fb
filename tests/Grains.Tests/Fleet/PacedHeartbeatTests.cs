using FleetPods.Grains.Tests.Cluster;
using Microsoft.Extensions.Time.Testing;
using static FleetPods.Grains.Tests.Fleet.FleetCluster;

namespace FleetPods.Grains.Tests.Fleet;

/// <summary>
/// A server paces its agents' beats: each answer says when to beat next, longer as more agents beat on that server,
/// and a node is down only when no beat came for the period it was last told plus the grace. On a fake clock, with
/// one server silo, so the count of its agents and every deadline are exact.
/// </summary>
public sealed class PacedHeartbeatTests
{
    private static readonly TimeSpan Tick = TimeSpan.FromTicks(1);

    [Fact]
    public async Task A_node_beating_when_told_stays_up_one_silent_past_its_period_and_grace_is_down_with_its_pods_lost_and_it_attaches_again()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var fleet = await FleetCluster.Start(clock, "role=server");
        await using var agent = FakeNodeAgent.Unattached(fleet.Client, "paced-a", "role=paced");
        var node = fleet.Client.GetGrain<INodeGrain>("paced-a");
        var session = await AttachByHand(fleet.Client, agent);
        var unit = await fleet.Start("paced.pod", pod: "Count=2", fleet: "MachineMetadata=role=paced");
        var placed = Running((await Until(unit, pods => Running(pods).Count == 2, "two pods running on paced-a")).Pods).Select(p => p.Id).ToHashSet();

        // Thirty beats, each when it was told: far longer than any period and grace, and the node never goes down.
        var told = session.NextBeat;
        for (var beat = 0; beat < 30; beat++)
        {
            Assert.InRange(told, AgentMinHeartbeatPeriod, AgentMinHeartbeatPeriod * 1.25);
            clock.Advance(told);
            var answer = await node.Heartbeat(session.Token);
            Assert.True(answer.Accepted, $"beat {beat}, sent {told} after the last, was refused");
            told = answer.NextBeat;
        }

        Assert.Equal(NodeLiveness.Up, (await node.GetStatus()).Liveness);

        // Silent: up until the period it was told and the grace have passed, down from then, its pods lost.
        clock.Advance(told + AgentHeartbeatGrace - Tick);
        Assert.Equal(NodeLiveness.Up, (await node.GetStatus()).Liveness);
        Assert.All((await unit.GetStatus())!.Pods.Where(p => placed.Contains(p.Id)), p => Assert.Equal(PodPhase.Running, p.Phase));
        clock.Advance(Tick);
        await Eventually.Until(async () => (await node.GetStatus()).Liveness, l => l == NodeLiveness.Down, "paced-a down once its deadline passed");
        await Until(unit, pods => pods.Where(p => placed.Contains(p.Id)).All(p => p.IsLost), "paced-a's two pods lost");
        Assert.Contains("paced-a", await fleet.Client.GetGrain<IDownNodesGrain>(IDownNodesGrain.Key).List());

        // Its next beat is refused, and the attach it then makes brings it back with beats accepted.
        Assert.Equal(HeartbeatAnswer.Refused, await node.Heartbeat(session.Token));
        session = await AttachByHand(fleet.Client, agent);
        clock.Advance(session.NextBeat);
        Assert.True((await node.Heartbeat(session.Token)).Accepted);
        Assert.Equal(NodeLiveness.Up, (await node.GetStatus()).Liveness);
        Assert.Empty(await fleet.Client.GetGrain<IDownNodesGrain>(IDownNodesGrain.Key).List());
    }

    [Fact]
    public async Task The_period_told_grows_with_the_agents_and_a_grain_that_activates_again_waits_as_long_as_it_may_have_told()
    {
        const int Agents = 40;
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var fleet = await FleetCluster.Start(clock, "role=server");
        var agents = Enumerable.Range(0, Agents).Select(i => FakeNodeAgent.Unattached(fleet.Client, $"many-{i:D2}")).ToArray();
        try
        {
            var first = await AttachByHand(fleet.Client, agents[0]);
            Assert.InRange(first.NextBeat, AgentMinHeartbeatPeriod, AgentMinHeartbeatPeriod * 1.25);

            await Task.WhenAll(agents.Skip(1).Select(a => AttachByHand(fleet.Client, a)));

            // 40 agents at 20 beats a second: every 2 s, stretched by up to a quarter, and never faster than the rate.
            var answers = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => fleet.Client.GetGrain<INodeGrain>(agents[0].Name).Heartbeat(first.Token)));
            var paced = TimeSpan.FromSeconds(Agents / (double)AgentMaxHeartbeatsPerSecond);
            Assert.All(answers, a => Assert.InRange(a.NextBeat, paced, paced * 1.25));
            Assert.True(answers.Select(a => a.NextBeat).Distinct().Count() > 1, "ten answers alike: the periods are not jittered");

            // Every grain deactivated, as on a server that restarted: many-00's grain, activated by a call that is not
            // its agent's, counts no agent on its server, yet its agent may hold a 2.5-s period. It stored twice that.
            await fleet.Client.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);
            var down = fleet.Client.GetGrain<IDownNodesGrain>(IDownNodesGrain.Key);
            var node = fleet.Client.GetGrain<INodeGrain>(agents[0].Name);
            await node.GetStatus();
            var waits = paced * 1.25 * 2 + AgentHeartbeatGrace;
            clock.Advance(waits - Tick);

            // A turn of the grain's after the advance: any timer it fired ran first (the grain takes one turn at a time).
            await node.GetStatus();
            Assert.DoesNotContain(agents[0].Name, await down.List());
            clock.Advance(Tick);
            await Eventually.Until(() => down.List(), d => d.Contains(agents[0].Name), $"{agents[0].Name} down {waits} after its grain activated again");
        }
        finally
        {
            foreach (var agent in agents)
            {
                await agent.DisposeAsync();
            }
        }
    }

    private static async Task<AgentSession> AttachByHand(IClusterClient client, FakeNodeAgent agent)
    {
        var node = client.GetGrain<INodeGrain>(agent.Name);
        var proof = AttachProof.Sign(agent.Name, await node.Challenge(), TestClusterPki.Shared.Node(agent.Name));
        var session = await node.Attach(agent.Reference, agent.Announcement, [.. agent.Pods.Keys.Select(id => new RuntimePod(id, PodPhase.Running, null, null, DateTimeOffset.UtcNow))], proof);
        agent.Attached(session);
        return session;
    }
}
