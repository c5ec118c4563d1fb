namespace FleetPods.EndToEnd.Tests;

/// <summary>One real fleetpodsd with the busybox image imported, shared by the tests of a class that need no daemon of their own.</summary>
public sealed class BusyboxDaemon : IAsyncLifetime
{
    private readonly BusyboxImage image = new();

    public FleetPodsDaemon Daemon { get; } = new();

    public string Endpoint => $"127.0.0.1:{Daemon.GatewayPort}";

    public async Task InitializeAsync()
    {
        await image.InitializeAsync();
        await Daemon.StartWith(image);
    }

    public async Task DisposeAsync()
    {
        await Daemon.DisposeAsync();
        await image.DisposeAsync();
    }
}
