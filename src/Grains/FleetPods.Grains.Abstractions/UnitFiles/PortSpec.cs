namespace FleetPods.Grains.UnitFiles;

/// <summary>A port forwarded from the node to the pod, from <c>Port=NAME:HOSTPORT[:PODPORT]/tcp|udp</c>.</summary>
[GenerateSerializer, Immutable]
public sealed record PortSpec(
    [property: Id(0)] string Name,
    [property: Id(1)] int HostPort,
    [property: Id(2)] int PodPort,
    [property: Id(3)] PortProtocol Protocol);
