namespace FleetPods.NodeRuntime;

/// <summary>A volume of a pod; apps see it where their <see cref="PodMount"/>s put it.</summary>
/// <param name="Source">The node's directory (absolute) for <see cref="PodVolumeKind.Host"/>; null for <see cref="PodVolumeKind.Empty"/>.</param>
public sealed record PodVolume(string Name, PodVolumeKind Kind, string? Source, bool ReadOnly);
