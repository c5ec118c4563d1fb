namespace FleetPods.Grains.Tests.Fleet;

/// <summary>Three nodes for the scheduling rules: two with disk=ssd, one with disk=hdd; each test uses its own unit names.</summary>
public sealed class FleetClusterFixture : IAsyncLifetime
{
    public FleetCluster Fleet { get; private set; } = null!;

    public string Ssd1 => Fleet.Nodes[0];

    public string Ssd2 => Fleet.Nodes[1];

    public string Hdd => Fleet.Nodes[2];

    public async Task InitializeAsync() => Fleet = await FleetCluster.Start("disk=ssd,region=eu", "disk=ssd,region=us", "disk=hdd,region=us");

    public async Task DisposeAsync() => await Fleet.DisposeAsync();
}
