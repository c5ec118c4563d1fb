namespace FleetPods.Grains.UnitFiles;

/// <summary>The <c>[Pod]</c> section of a unit file: what to run and how.</summary>
/// <param name="SectionLine">Line of the first <c>[Pod]</c> header, for errors about the section as a whole.</param>
/// <param name="Image">Image name (<c>example.com/busybox:1.0</c>) or digest (<c>sha512-…</c>, <c>sha256-…</c>).</param>
/// <param name="Exec">The app's argv, or null to run the image's own exec.</param>
/// <param name="WorkingDirectory">Absolute path inside the pod, or null for the image's default.</param>
/// <param name="User">User name or numeric id, or null for the image's default.</param>
/// <param name="Group">Group name or numeric id, or null for the image's default.</param>
/// <param name="MemoryBytes">Memory limit in bytes, or null for no limit.</param>
/// <param name="CpuMillis">CPU limit in thousandths of a CPU, or null for no limit.</param>
/// <param name="PrivateUsers">Whether the pod runs in its own user namespace (<see cref="Stage1Traits.DefaultPrivateUsers"/> when not given).</param>
/// <param name="Overlay">Whether the root filesystem is an overlay (true) or a copy of the image.</param>
[GenerateSerializer, Immutable]
public sealed record PodSection(
    [property: Id(0)] int SectionLine,
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
    [property: Id(14)] IReadOnlyList<PortSpec> Ports,
    [property: Id(15)] RestartPolicy Restart)
{
    /// <summary>How many pods of the unit run (<c>Count=</c>, 1 to <see cref="MaxCount"/>); one per node for a Global unit.</summary>
    [Id(16)]
    public int Count { get; init; } = 1;

    /// <summary>How many of the unit's pods a rolling update may take down at once (<c>MaxUnavailable=</c>, at least 1).</summary>
    [Id(17)]
    public int MaxUnavailable { get; init; } = 1;

    public const int MaxCount = 1000;

    /// <summary>The pod's further apps, from <c>[App NAME]</c> sections; the <c>[Pod]</c> section's own app is named <c>app</c>.</summary>
    [Id(20)]
    public IReadOnlyList<AppSection> Apps { get; init; } = [];

    /// <summary>The pod's network, from <c>Network=</c>, else its flavor's (<see cref="Stage1Traits.DefaultNetwork"/>: stage1 <c>fly</c> shares the host's, <c>ns</c> and <c>kvm</c> get the default).</summary>
    [Id(21)]
    public PodNetwork Network { get; init; }

    /// <summary>The first app's further groups (<c>SupplementaryGroups=</c>, numeric ids as appc's supplementaryGIDs), beside those its user has.</summary>
    [Id(22)]
    public IReadOnlyList<uint> SupplementaryGroups { get; init; } = [];
}
