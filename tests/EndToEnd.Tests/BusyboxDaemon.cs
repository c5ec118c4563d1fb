namespace FleetPods.EndToEnd.Tests;

/// <summary>One real fleetpodsd with the busybox image imported, shared by the tests of a class that need no daemon of their own.</summary>
public sealed class BusyboxDaemon : IAsyncLifetime
{
    private readonly BusyboxImage image = new();
    private bool started;

    public FleetPodsDaemon Daemon { get; } = new();

    public string Endpoint => Daemon.Endpoint;

    public async Task InitializeAsync()
    {
        // Its tests need root; without it they are skipped with the reason, and no daemon is started for them.
        if (Prerequisites.Missing(Requires.Root) is not null && !Prerequisites.RequireAll)
        {
            return;
        }

        started = true;
        await image.InitializeAsync();
        await Daemon.StartWith(image);
    }

    public async Task DisposeAsync()
    {
        if (!started)
        {
            return;
        }

        await Daemon.DisposeAsync();
        await image.DisposeAsync();
    }
}
