namespace FleetPods.NodeRuntime;

/// <summary>The network a pod of stage1 <c>ns</c> gets, as rkt's <c>--net</c> named them.</summary>
public enum PodNetworkMode
{
    /// <summary>Its own network namespace on the node's bridge, with an address from the node's range and outbound NAT.</summary>
    Default,

    /// <summary>The host's own network namespace.</summary>
    Host,

    /// <summary>Its own network namespace with loopback only.</summary>
    None,
}
