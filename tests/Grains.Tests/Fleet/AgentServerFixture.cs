namespace FleetPods.Grains.Tests.Fleet;

/// <summary>One server silo (a node kept out of agents' units by its metadata) for agents to attach to; each test uses its own node names.</summary>
public sealed class AgentServerFixture : IAsyncLifetime
{
    public FleetCluster Fleet { get; private set; } = null!;

    public async Task InitializeAsync() => Fleet = await FleetCluster.Start("role=server");

    public async Task DisposeAsync() => await Fleet.DisposeAsync();
}
