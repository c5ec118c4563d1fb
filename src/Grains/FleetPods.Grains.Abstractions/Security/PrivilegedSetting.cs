namespace FleetPods.Grains.Security;

/// <summary>What a pod setting reaches of the node, making the pod <see cref="PodSecurityLevel.Privileged"/>.</summary>
public enum PrivilegedSetting
{
    /// <summary><c>Volume=NAME,kind=host</c> on a path the node's pod policy does not name for operators.</summary>
    HostVolume,

    /// <summary><c>Stage1=fly</c>: chroot only, the node's /proc, /sys, /dev, network and user ids.</summary>
    Stage1Fly,

    /// <summary><c>Network=host</c>: the node's own network stack.</summary>
    HostNetwork,

    /// <summary><c>Port=</c> with a host port below 1024, which only root may bind on the node.</summary>
    LowHostPort,

    /// <summary><c>PrivateUsers=no</c> on stage1 ns: root in the pod is root on the node.</summary>
    SharedUserIds,
}
