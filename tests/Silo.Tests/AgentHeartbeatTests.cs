using FleetPods.Grains.Nodes;

namespace FleetPods.Silo.Tests;

/// <summary>
/// An agent beats when its server says, within bounds, and a beat it lost never costs it its node: the wait for a
/// beat's answer and the retry after it fit in the grace a server gives past the period it told.
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
}
