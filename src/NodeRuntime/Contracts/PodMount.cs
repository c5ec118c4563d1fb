namespace FleetPods.NodeRuntime;

/// <summary>Puts the pod's volume <paramref name="Volume"/> at <paramref name="Target"/> (absolute) in one app's tree.</summary>
public sealed record PodMount(string Volume, string Target);
