namespace FleetPods.Grains.Security;

/// <summary>
/// The cluster's exceptions to the pod security policy, read by each fleetpodsd from its <c>--pod-policy</c> file:
/// named host directories operators may mount, as Nomad's <c>host_volume</c> stanza names them.
/// </summary>
/// <param name="HostVolumes">By name; each path absolute and normalized.</param>
[GenerateSerializer, Immutable]
public sealed record PodPolicy([property: Id(0)] IReadOnlyDictionary<string, HostVolumePolicy> HostVolumes)
{
    /// <summary>No file: no exceptions, every host volume is privileged.</summary>
    public static PodPolicy None { get; } = new(new Dictionary<string, HostVolumePolicy>());
}
