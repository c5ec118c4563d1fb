using FleetPods.Grains.Nodes;

namespace FleetPods.Silo.Tests;

/// <summary>
/// An agent beats when its server says, within bounds, and a beat it lost never costs it its node: the wait for a
/// beat's answer and the retry after it fit in the grace a server gives past the period it told. Its rounds go at the
/// pace of its beats.
/// </summary>
public sealed class AgentHeartbeatTests
{
    [Fact]
    public void A_lost_beat_and_its_retry_fit_in_a_servers_default_grace()
    {
        var defaults = new NodeLivenessOptions();

        Assert.True(NodeAgent.BeatTimeout + NodeAgent.RetryPeriod < defaults.HeartbeatGrace,
            $"a lost beat's wait ({NodeAgent.BeatTimeout}) and retry ({NodeAgent.RetryPeriod}) outlast the grace ({defaults.HeartbeatGrace})");
        Assert.Equal(defaults.MinHeartbeatPeriod, NodeAgent.RetryPeriod);
    }

    [Theory]
    [InlineData(-1, 2)]
    [InlineData(0, 2)]
    [InlineData(1, 2)]
    [InlineData(2, 2)]
    [InlineData(21.7, 21.7)]
    [InlineData(300, 300)]
    [InlineData(86_400, 300)]
    public void The_period_a_server_tells_is_kept_within_bounds(double toldSeconds, double waitSeconds) =>
        Assert.Equal(TimeSpan.FromSeconds(waitSeconds), NodeAgent.Paced(TimeSpan.FromSeconds(toldSeconds)));

    // A small cluster's agents beat at the shortest period and reconcile as a silo does; 10,000 agents on one server,
    // told 20–25 s, reconcile every 140–175 s rather than 667 times a second between them.
    [Theory]
    [InlineData(0, 15)]
    [InlineData(2, 15)]
    [InlineData(2.5, 17.5)]
    [InlineData(20, 140)]
    [InlineData(25, 175)]
    public void An_agents_rounds_are_paced_with_its_beats(double beatSeconds, double roundSeconds) =>
        Assert.Equal(TimeSpan.FromSeconds(roundSeconds), NodeAgent.ReconcileAfter(TimeSpan.FromSeconds(beatSeconds)));

    [Fact]
    public void A_small_clusters_agents_reconcile_as_often_as_its_silos() =>
        Assert.Equal(NodeAgent.ReconcilePeriod, NodeAgent.ReconcileAfter(new NodeLivenessOptions().MinHeartbeatPeriod));
}
