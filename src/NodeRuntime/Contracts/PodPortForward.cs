namespace FleetPods.NodeRuntime;

/// <summary>Connections to <paramref name="HostPort"/> of the node reach <paramref name="PodPort"/> of the pod (default network only).</summary>
public sealed record PodPortForward(string Name, int HostPort, int PodPort, PodPortProtocol Protocol);
