namespace FleetPods.Grains.Security;

/// <summary>A pod's level in the pod security policy, as Kubernetes' Pod Security Standards name them.</summary>
public enum PodSecurityLevel
{
    /// <summary>Nothing of the pod reaches the node beyond its own namespaces, cgroups and forwarded high ports: an operator may run it.</summary>
    Baseline,

    /// <summary>Some setting reaches the node (a host directory, its network, its user ids, a privileged port): only an admin may run it.</summary>
    Privileged,
}
