namespace FleetPods.EndToEnd.Tests;

/// <summary>A real AppC image built by deploy/examples/make-busybox-aci.sh from Debian's busybox-static.</summary>
public sealed class BusyboxImage : IAsyncLifetime
{
    public const string Name = "example.com/busybox";

    private readonly string directory = Directory.CreateTempSubdirectory("fleetpods-aci-").FullName;

    public string Path => System.IO.Path.Combine(directory, "busybox.aci");

    public async Task InitializeAsync()
    {
        var result = await Processes.Run(RepositoryLayout.Script("deploy/examples/make-busybox-aci.sh"), [Path], TimeSpan.FromSeconds(60));
        Assert.True(result.ExitCode == 0, result.ToString());
    }

    public Task DisposeAsync()
    {
        Directory.Delete(directory, recursive: true);
        return Task.CompletedTask;
    }
}
