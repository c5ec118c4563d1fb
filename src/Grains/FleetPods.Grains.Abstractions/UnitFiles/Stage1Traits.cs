namespace FleetPods.Grains.UnitFiles;

/// <summary>
/// What a stage1 flavor can give a pod, as data: the one home of the differences between ns, kvm and fly wherever a pod
/// is described (a unit file, <c>fleetpods run</c>, the .NET API), so each rule is checked once, by
/// <see cref="PodValidator"/>. Each refusal says why in words that name the flavor; null means the flavor allows it.
/// </summary>
/// <param name="Networks">The networks it can give, the first being the one a pod gets when it names none.</param>
/// <param name="NetworkLimit">Why the other networks are refused.</param>
public sealed record Stage1Traits(
    Stage1Flavor Flavor,
    IReadOnlyList<PodNetwork> Networks,
    string NetworkLimit,
    string? PortsRefusal,
    string? PrivateUsersRefusal,
    string? SeveralAppsRefusal,
    string? ConsoleRefusal)
{
    /// <summary>Whether every pod of the flavor reaches the node (fly: chrooted, in the node's namespaces and ids), so only an admin may run one.</summary>
    public bool Privileged { get; init; }

    /// <summary>Whether a pod without <c>PrivateUsers=</c> runs its root as the node's root: where the flavor could give it ids of its own.</summary>
    public bool SharesNodeIdsWithoutPrivateUsers => PrivateUsersRefusal is null;

    public static Stage1Traits Ns { get; } = new(
        Stage1Flavor.Ns,
        [PodNetwork.Default, PodNetwork.Host, PodNetwork.None],
        "",
        PortsRefusal: null,
        PrivateUsersRefusal: null,
        SeveralAppsRefusal: null,
        ConsoleRefusal: null);

    public static Stage1Traits Kvm { get; } = new(
        Stage1Flavor.Kvm,
        [PodNetwork.Default, PodNetwork.None],
        "stage1 kvm runs the pod on its own kernel, which cannot share the node's network",
        PortsRefusal: null,
        "stage1 kvm runs the pod on its own kernel, whose users are not the node's (it needs stage1 ns)",
        SeveralAppsRefusal: null,
        "stage1 kvm does not relay input or a terminal into its VM yet (stage1 ns or fly)");

    public static Stage1Traits Fly { get; } = new(
        Stage1Flavor.Fly,
        [PodNetwork.Host],
        "stage1 fly shares the node's network",
        "stage1 fly shares the node's network: the pod has no address of its own to forward a port to",
        "stage1 fly runs in the node's user ids (it needs stage1 ns)",
        "stage1 fly runs one app (several apps need stage1 ns)",
        ConsoleRefusal: null)
    {
        Privileged = true,
    };

    /// <summary>The network a pod gets when it names none.</summary>
    public PodNetwork DefaultNetwork => Networks[0];

    /// <summary><c>PrivateUsers=</c> when not given: yes where the flavor allows it, so root in the pod is an unused id range on the node.</summary>
    public bool DefaultPrivateUsers => PrivateUsersRefusal is null;

    public static Stage1Traits Of(Stage1Flavor flavor) => flavor switch
    {
        Stage1Flavor.Kvm => Kvm,
        Stage1Flavor.Fly => Fly,
        _ => Ns,
    };

    /// <summary>Why <paramref name="network"/> is refused, naming what the flavor takes, or null when it is allowed.</summary>
    public string? RefuseNetwork(PodNetwork network) =>
        Networks.Contains(network) ? null : $"{NetworkLimit} ({string.Join(" or ", Networks.Select(n => n.ToString().ToLowerInvariant()))} only)";
}
