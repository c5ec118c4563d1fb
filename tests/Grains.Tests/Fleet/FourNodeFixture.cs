namespace FleetPods.Grains.Tests.Fleet;

/// <summary>Four empty nodes of 4 CPUs and 8 GiB for the spread tests: two in rack 1, two in rack 2; each test uses its own unit names.</summary>
public sealed class FourNodeFixture : IAsyncLifetime
{
    public FleetCluster Fleet { get; private set; } = null!;

    public async Task InitializeAsync() => Fleet = await FleetCluster.Start("rack=1", "rack=1", "rack=2", "rack=2");

    public async Task DisposeAsync() => await Fleet.DisposeAsync();
}
