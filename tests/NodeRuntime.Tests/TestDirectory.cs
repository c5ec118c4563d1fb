namespace FleetPods.NodeRuntime.Tests;

/// <summary>A temporary directory of the host, deleted with everything in it.</summary>
public sealed class TestDirectory : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("fleetpods-test-").FullName;

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
