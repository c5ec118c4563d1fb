using FleetPods.Grains.UnitFiles;

namespace FleetPods.Grains;

/// <summary>Everything a node needs to run one pod, with specifiers already expanded.</summary>
/// <param name="UnitName">The unit the pod belongs to, or null for a one-off <c>fleetpods run</c> pod.</param>
/// <param name="Image">Image name or digest.</param>
/// <param name="Exec">The app's argv, or null to use the image's own exec.</param>
[GenerateSerializer, Immutable]
public sealed record PodSpec(
    [property: Id(0)] string? UnitName,
    [property: Id(1)] string Image,
    [property: Id(2)] IReadOnlyList<string>? Exec,
    [property: Id(3)] IReadOnlyList<EnvironmentVariable> Environment,
    [property: Id(4)] string? WorkingDirectory,
    [property: Id(5)] string? User,
    [property: Id(6)] string? Group,
    [property: Id(7)] long? MemoryBytes,
    [property: Id(8)] int? CpuMillis,
    [property: Id(9)] Stage1Flavor Stage1,
    [property: Id(10)] bool PrivateUsers,
    [property: Id(11)] bool Overlay,
    [property: Id(12)] IReadOnlyList<VolumeSpec> Volumes,
    [property: Id(13)] IReadOnlyList<MountSpec> Mounts,
    [property: Id(14)] IReadOnlyList<PortSpec> Ports)
{
    /// <summary>The resources the scheduler must find free on a node.</summary>
    public ResourceRequest Resources => new(MemoryBytes ?? 0, CpuMillis ?? 0);

    /// <summary>The pod a unit asks for, after its specifiers were expanded for the chosen node.</summary>
    public static PodSpec FromUnit(UnitFile unit)
    {
        ArgumentNullException.ThrowIfNull(unit);
        var pod = unit.Pod;
        return new PodSpec(
            unit.Name, pod.Image, pod.Exec, pod.Environment, pod.WorkingDirectory, pod.User, pod.Group,
            pod.MemoryBytes, pod.CpuMillis, pod.Stage1, pod.PrivateUsers, pod.Overlay, pod.Volumes, pod.Mounts, pod.Ports);
    }

    /// <summary>A one-off pod of an image, as <c>fleetpods run IMAGE [-- CMD...]</c> starts it.</summary>
    public static PodSpec ForImage(string image, IReadOnlyList<string>? exec, Stage1Flavor stage1 = Stage1Flavor.Ns) =>
        new(null, image, exec, [], null, null, null, null, null, stage1, false, true, [], [], []);
}
