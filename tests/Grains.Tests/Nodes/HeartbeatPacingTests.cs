using CsCheck;
using FleetPods.Grains.Nodes;

namespace FleetPods.Grains.Tests.Nodes;

/// <summary>
/// The period a server tells its agents and the deadline after it: never below the minimum, growing with the agents
/// so their beats stay under the rate, jittered by at most a quarter, and the deadline always past the period.
/// </summary>
public sealed class HeartbeatPacingTests
{
    private static readonly Gen<Case> Cases =
        from minMs in Gen.Int[1, 60_000]
        from rate in Gen.Int[1, 10_000]
        from graceMs in Gen.Int[1, 60_000]
        from agents in Gen.Int[0, 1_000_000]
        from more in Gen.Int[0, 1_000_000]
        from draw in Gen.Double[0, 1]
        select new Case(new HeartbeatPacing(new NodeLivenessOptions
        {
            MinHeartbeatPeriod = TimeSpan.FromMilliseconds(minMs),
            MaxHeartbeatsPerSecond = rate,
            HeartbeatGrace = TimeSpan.FromMilliseconds(graceMs),
        }), TimeSpan.FromMilliseconds(minMs), rate, agents, more, draw);

    [Fact]
    public void The_period_is_never_below_the_minimum_nor_past_a_quarter_over_its_base() =>
        Cases.Sample(c =>
        {
            var period = c.Pacing.Period(c.Agents, c.Draw);
            return period >= c.MinPeriod && period >= c.Pacing.Base(c.Agents) && period <= c.Pacing.Base(c.Agents) * (1 + HeartbeatPacing.Jitter)
                && period <= c.Pacing.Longest(c.Agents);
        });

    [Fact]
    public void The_period_grows_with_the_agents_and_keeps_their_beats_under_the_rate() =>
        Cases.Sample(c =>
            c.Pacing.Period(c.Agents, c.Draw) <= c.Pacing.Period(c.Agents + c.More, c.Draw)
            && c.Agents * (double)TimeSpan.TicksPerSecond / c.Rate <= c.Pacing.Period(c.Agents, c.Draw).Ticks + 1);

    [Fact]
    public void The_deadline_is_past_the_period_told() =>
        Cases.Sample(c => c.Pacing.Deadline(c.Pacing.Period(c.Agents, c.Draw)) > c.Pacing.Period(c.Agents, c.Draw));

    [Theory]
    [InlineData(1, 2.0, 10.0)]
    [InlineData(1000, 2.0, 10.0)]
    [InlineData(2000, 4.0, 12.0)]
    [InlineData(10_000, 20.0, 28.0)]
    public void The_defaults_give_the_documented_periods_and_deadlines(int agents, double baseSeconds, double shortestDeadlineSeconds)
    {
        var pacing = new HeartbeatPacing(new NodeLivenessOptions());

        Assert.Equal(TimeSpan.FromSeconds(baseSeconds), pacing.Period(agents, 0));
        Assert.Equal(TimeSpan.FromSeconds(baseSeconds * 1.25), pacing.Longest(agents));
        Assert.Equal(TimeSpan.FromSeconds(shortestDeadlineSeconds), pacing.Deadline(pacing.Period(agents, 0)));
    }

    [Theory]
    [InlineData(0, 500, 8, "NodeLivenessOptions.MinHeartbeatPeriod 00:00:00 must be more than 0 and at most 1 hour")]
    [InlineData(2, 0, 8, "NodeLivenessOptions.MaxHeartbeatsPerSecond 0 must be 1 or more")]
    [InlineData(2, 500, -1, "NodeLivenessOptions.HeartbeatGrace -00:00:01 must be more than 0 and at most 1 hour")]
    public void An_option_out_of_range_is_refused_by_name(int minSeconds, int rate, int graceSeconds, string message)
    {
        var options = new NodeLivenessOptions
        {
            MinHeartbeatPeriod = TimeSpan.FromSeconds(minSeconds),
            MaxHeartbeatsPerSecond = rate,
            HeartbeatGrace = TimeSpan.FromSeconds(graceSeconds),
        };

        Assert.StartsWith(message, Assert.Throws<ArgumentException>(() => new HeartbeatPacing(options)).Message, StringComparison.Ordinal);
    }

    private sealed record Case(HeartbeatPacing Pacing, TimeSpan MinPeriod, int Rate, int Agents, int More, double Draw);
}
