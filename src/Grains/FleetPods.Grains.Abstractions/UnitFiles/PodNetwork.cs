namespace FleetPods.Grains.UnitFiles;

/// <summary>The network of a pod of stage1 <c>ns</c>, as <c>Network=</c> (and rkt's <c>--net</c>) names it.</summary>
public enum PodNetwork
{
    /// <summary><c>default</c>: its own network namespace on the node's bridge, with outbound NAT and forwarded ports.</summary>
    Default,

    /// <summary><c>host</c>: the node's own network (stage1 <c>fly</c> always has it).</summary>
    Host,

    /// <summary><c>none</c>: its own network namespace with loopback only.</summary>
    None,
}
