namespace FleetPods.NodeRuntime.Tests;

/// <summary>One busybox ACI per test run, built by the repository's script from Debian's busybox-static.</summary>
public sealed class BusyboxAci : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("fleetpods-aci-").FullName;

    public BusyboxAci()
    {
        Path = System.IO.Path.Combine(directory, "busybox.aci");
        TestFiles.Run(TestFiles.MakeBusyboxAci, Path);
    }

    public string Path { get; }

    public void Dispose() => Directory.Delete(directory, recursive: true);
}
