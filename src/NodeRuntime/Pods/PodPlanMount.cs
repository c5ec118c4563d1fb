namespace FleetPods.NodeRuntime.Pods;

/// <summary>One of the pod's volumes in an app's tree.</summary>
/// <param name="Source">The node's directory that backs the volume.</param>
/// <param name="Shifted">Mounted idmapped into the pod's user ids (a host directory of a pod with private users).</param>
internal sealed record PodPlanMount(string Volume, string Source, string Target, bool ReadOnly, bool Shifted);
