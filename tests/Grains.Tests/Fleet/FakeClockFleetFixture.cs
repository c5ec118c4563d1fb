using Microsoft.Extensions.Time.Testing;

namespace FleetPods.Grains.Tests.Fleet;

/// <summary>
/// Two nodes whose grains run on a <see cref="FakeTimeProvider"/>: time moves only when a test advances it, so
/// back-off, polling and retry timers are tested without waiting for them.
/// </summary>
public sealed class FakeClockFleetFixture : IAsyncLifetime
{
    public FakeTimeProvider Clock { get; } = new();

    public FleetCluster Fleet { get; private set; } = null!;

    public string First => Fleet.Nodes[0];

    public string Second => Fleet.Nodes[1];

    public async Task InitializeAsync() => Fleet = await FleetCluster.Start(Clock, "slot=1", "slot=2");

    public async Task DisposeAsync() => await Fleet.DisposeAsync();
}
