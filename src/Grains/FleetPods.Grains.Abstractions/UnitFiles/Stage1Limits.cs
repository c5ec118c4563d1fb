using System.Diagnostics.CodeAnalysis;

namespace FleetPods.Grains.UnitFiles;

/// <summary>
/// What each stage1 flavor cannot honour, refused where a pod is described (a unit file's <c>[Pod]</c> section and
/// <c>fleetpods run</c>'s flags both ask here) rather than left to the node, which cannot tell a network given as
/// <c>default</c> from one not given and would run the pod without it.
/// </summary>
public static class Stage1Limits
{
    /// <summary>Finds the first setting among those given that <paramref name="stage1"/> cannot honour.</summary>
    /// <param name="network">The network as given, or null when left to the flavor (ns: default, fly: host, kvm: none).</param>
    /// <param name="ports">Whether any port is forwarded.</param>
    /// <param name="severalApps">Whether the pod has more than one app.</param>
    /// <param name="setting">The setting refused.</param>
    /// <param name="reason">Why, naming the flavor (e.g. "stage1 kvm gives the VM no network device yet (none only)").</param>
    public static bool TryFindConflict(
        Stage1Flavor stage1,
        PodNetwork? network,
        bool privateUsers,
        bool ports,
        bool severalApps,
        out PodSetting setting,
        [NotNullWhen(true)] out string? reason)
    {
        (setting, reason) = (stage1, network) switch
        {
            (Stage1Flavor.Kvm, PodNetwork.Default or PodNetwork.Host) => (PodSetting.Network, "stage1 kvm gives the VM no network device yet (none only)"),
            (Stage1Flavor.Kvm, _) when ports => (PodSetting.Port, "stage1 kvm gives the VM no network device yet, so no port reaches it"),
            (Stage1Flavor.Kvm, _) when privateUsers => (PodSetting.PrivateUsers, "stage1 kvm runs the pod on its own kernel, whose users are not the node's (it needs stage1 ns)"),
            (Stage1Flavor.Fly, PodNetwork.Default or PodNetwork.None) => (PodSetting.Network, "stage1 fly shares the node's network (host only)"),
            (Stage1Flavor.Fly, _) when ports => (PodSetting.Port, "stage1 fly shares the node's network: the pod has no address of its own to forward a port to"),
            (Stage1Flavor.Fly, _) when privateUsers => (PodSetting.PrivateUsers, "stage1 fly runs in the node's user ids (it needs stage1 ns)"),
            (Stage1Flavor.Fly, _) when severalApps => (PodSetting.Apps, "stage1 fly runs one app (several apps need stage1 ns)"),
            _ => (default(PodSetting), (string?)null),
        };
        return reason is not null;
    }
}
