using System.Text.Json.Serialization;

namespace FleetPods.NodeRuntime.Manifest;

/// <summary>
/// What this node rendered for the pod, which appc has no field for: the stage1 flavor, the apps' roots, the volumes'
/// directories, the network, cgroups and user ids it leased, the console and, for stage1 kvm, the VM. Its own schema
/// (docs/schemas/fleetpods-pod-extension.schema.json) has a <see cref="Version"/> that grows when a field changes meaning.
/// </summary>
/// <param name="Stage1"><c>ns</c>, <c>fly</c> or <c>kvm</c>.</param>
/// <param name="Apps">In the order of appc's apps, with the same names.</param>
/// <param name="Volumes">Every volume an app mounts, with the node's directory that backs it.</param>
internal sealed record FleetPodsExtension(
    string PodId,
    string Stage1,
    string Hostname,
    FleetPodsNetwork Network,
    IReadOnlyList<string> Cgroups,
    IReadOnlyList<FleetPodsApp> Apps,
    IReadOnlyList<FleetPodsVolume> Volumes)
{
    public const int CurrentVersion = 1;

    [JsonPropertyOrder(-1)]
    public int Version { get; init; } = CurrentVersion;

    /// <summary>The file whose oom_kill counter tells the supervisor the pod ran out of memory.</summary>
    public string? OomEvents { get; init; }

    /// <summary>The first host id of the pod's user namespace (its ids 0-65535), or null without one.</summary>
    public long? UidBase { get; init; }

    public FleetPodsConsole? Console { get; init; }

    /// <summary>Stage1 kvm's VM, added by that flavor.</summary>
    public FleetPodsMachine? Kvm { get; init; }
}

/// <param name="Mode"><c>bridge</c> (the pod's own namespace, or stage1 kvm's VM, on the node's bridge), <c>host</c> or <c>none</c>; the rest is for <c>bridge</c> only.</param>
internal sealed record FleetPodsNetwork(string Mode)
{
    /// <summary>The ip tool that makes the veth pair (not stage1 kvm).</summary>
    public string? IpTool { get; init; }

    /// <summary>The host end of the pod's veth pair (not stage1 kvm).</summary>
    public string? Veth { get; init; }

    /// <summary>Stage1 kvm: the VM's tap device on the bridge, which the supervisor makes and hands to qemu.</summary>
    public string? Tap { get; init; }

    /// <summary>Stage1 kvm: the MAC of the VM's network device.</summary>
    public string? Mac { get; init; }

    public string? Bridge { get; init; }

    /// <summary>The pod's address with its prefix length.</summary>
    public string? Address { get; init; }

    public string? Gateway { get; init; }
}

/// <summary>Where the app's image is on this node: a copied tree (<see cref="Rootfs"/>) or overlay <see cref="Layers"/>.</summary>
/// <param name="GroupOfUser">The app named no group: it runs with its user's primary group from the pod's /etc/passwd (appc readers see group 0, as docker2aci wrote).</param>
internal sealed record FleetPodsApp(string Name, bool GroupOfUser)
{
    public string? Rootfs { get; init; }

    public FleetPodsLayers? Layers { get; init; }
}

/// <param name="Lower">The image's layers, top first, joined by ':' as overlayfs takes them.</param>
internal sealed record FleetPodsLayers(string Lower, string Upper, string Work);

/// <param name="Path">The node's directory that backs the volume.</param>
/// <param name="Idmapped">Mounted shifted into the pod's user ids (a host directory of a pod with private users).</param>
internal sealed record FleetPodsVolume(string Name, string Path, bool Idmapped);

/// <summary>The first app's console: a FIFO the node writes (<see cref="Stdin"/>) or a terminal whose master it holds (<see cref="Tty"/>).</summary>
internal sealed record FleetPodsConsole(string? Stdin, string? Tty);

/// <param name="Machine">qemu's command line, its program first.</param>
/// <param name="Shares">The node's directories the VM mounts over 9p: every app's root and every volume.</param>
internal sealed record FleetPodsMachine(IReadOnlyList<string> Machine, IReadOnlyList<FleetPodsShare> Shares);

/// <summary>One 9p share; it carries either <see cref="App"/>'s root or <see cref="Volume"/>.</summary>
internal sealed record FleetPodsShare(string Tag, string Path, bool ReadOnly)
{
    public string? App { get; init; }

    public string? Volume { get; init; }
}
