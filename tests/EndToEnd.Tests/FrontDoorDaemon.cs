namespace FleetPods.EndToEnd.Tests;

/// <summary>
/// One real fleetpodsd for the front door's tests, with the busybox image imported through the API itself (the
/// archive as the request body, by curl on the socket), shared by the tests of <see cref="FrontDoorTests"/>.
/// </summary>
public sealed class FrontDoorDaemon : IAsyncLifetime
{
    private readonly BusyboxImage image = new();
    private bool started;

    public FleetPodsDaemon Daemon { get; } = new();

    public async Task InitializeAsync()
    {
        if (Prerequisites.Missing(Requires.Root) is not null && !Prerequisites.RequireAll)
        {
            return;
        }

        started = true;
        await image.InitializeAsync();
        await Daemon.Start();
        var curl = new FrontDoorCurl(Daemon);
        await curl.WaitUntilServed();
        var imported = await Processes.Run("curl", ["-sS", "--fail-with-body", "--unix-socket", curl.Socket, "--data-binary", $"@{image.Path}", "http://localhost/v1/images?filename=busybox.aci"], TimeSpan.FromSeconds(90));
        Assert.True(imported.ExitCode == 0, imported.ToString());
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
