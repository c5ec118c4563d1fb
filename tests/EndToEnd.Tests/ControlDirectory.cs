namespace FleetPods.EndToEnd.Tests;

/// <summary>
/// A host directory for a pod's <c>Volume=ctl,kind=host</c> mounted at <c>/ctl</c>: a pod whose end a test must
/// control (one that must outlive a daemon restart, or be seen running first) loops until <c>/ctl/stop</c> exists.
/// </summary>
public sealed class ControlDirectory : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("fleetpods-ctl-").FullName;

    public void TellPodsToStop() => File.WriteAllText(System.IO.Path.Combine(Path, "stop"), "");

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
