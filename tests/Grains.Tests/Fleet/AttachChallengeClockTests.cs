namespace FleetPods.Grains.Tests.Fleet;

/// <summary>A node grain's challenge is good for 30 s of its clock (a fake one here, moved by the test), and then for no attach.</summary>
public sealed class AttachChallengeClockTests(FakeClockFleetFixture fixture) : IClassFixture<FakeClockFleetFixture>
{
    [Fact]
    public async Task A_challenge_older_than_30_s_is_refused_and_a_younger_one_serves()
    {
        var client = fixture.Fleet.Client;
        await using var agent = FakeNodeAgent.Unattached(client, "clocked-a");
        var node = client.GetGrain<INodeGrain>("clocked-a");
        var certificate = TestClusterPki.Shared.Node("clocked-a");

        var old = await node.Challenge();
        fixture.Clock.Advance(TimeSpan.FromSeconds(31));
        var stale = await Assert.ThrowsAsync<AttachRefusedException>(() =>
            node.Attach(agent.Reference, agent.Announcement, [], AttachProof.Sign("clocked-a", old, certificate)));
        Assert.Contains("its challenge is stale or unknown", stale.Message, StringComparison.Ordinal);

        var young = await node.Challenge();
        fixture.Clock.Advance(TimeSpan.FromSeconds(29));
        var session = await node.Attach(agent.Reference, agent.Announcement, [], AttachProof.Sign("clocked-a", young, certificate));
        Assert.True((await node.Heartbeat(session.Token)).Accepted);
    }
}
