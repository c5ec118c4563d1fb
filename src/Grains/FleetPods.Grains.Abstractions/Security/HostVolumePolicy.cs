namespace FleetPods.Grains.Security;

/// <summary>A host directory the cluster's pod policy lets operators mount (Nomad's <c>host_volume</c>).</summary>
/// <param name="Path">An absolute, normalized path of the node.</param>
/// <param name="ReadOnly">Whether operators' pods may mount it only with <c>readOnly=true</c>.</param>
[GenerateSerializer, Immutable]
public sealed record HostVolumePolicy([property: Id(0)] string Path, [property: Id(1)] bool ReadOnly);
