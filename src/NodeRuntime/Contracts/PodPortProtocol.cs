namespace FleetPods.NodeRuntime;

/// <summary>The transport protocol of a forwarded port.</summary>
public enum PodPortProtocol
{
    Tcp,
    Udp,
}
