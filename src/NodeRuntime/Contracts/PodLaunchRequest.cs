namespace FleetPods.NodeRuntime;

/// <summary>Everything this node needs to run one pod.</summary>
/// <param name="App">The pod's first app; <see cref="MoreApps"/> are the others, which share its namespaces and volumes.</param>
public sealed record PodLaunchRequest(string PodId, string ImageDigest, PodAppRequest App)
{
    /// <summary>Defaults to <c>fleetpods-</c> and the first 8 characters of the pod id.</summary>
    public string? Hostname { get; init; }

    public Stage1Flavor Stage1 { get; init; } = Stage1Flavor.Ns;

    /// <summary>False copies the image's tree instead of laying an overlayfs over it.</summary>
    public bool Overlay { get; init; } = true;

    /// <summary>Runs the pod in its own user namespace: its ids 0-65535 are an unused range of the node's.</summary>
    public bool PrivateUsers { get; init; }

    /// <summary>Null: <see cref="PodNetworkMode.Default"/> for stage1 <c>ns</c>, the host's network for <c>fly</c>.</summary>
    public PodNetworkMode? Network { get; init; }

    /// <summary>The pod's memory limit (its cgroup's), or null for none.</summary>
    public long? MemoryBytes { get; init; }

    /// <summary>The pod's CPU limit in thousandths of a CPU (its cgroup's quota), or null for none.</summary>
    public int? CpuMillis { get; init; }

    /// <summary>The first app's stdin is a pipe that <see cref="PodRuntime.WriteInputAsync"/> writes; otherwise it is empty.</summary>
    public bool Input { get; init; }

    /// <summary>
    /// The first app's stdin, stdout and stderr are a terminal of this size (what it writes still reaches the pod's log),
    /// fed by <see cref="PodRuntime.WriteInputAsync"/> when <see cref="Input"/> is set; null for none.
    /// </summary>
    public PodTerminalSize? Terminal { get; init; }

    public IReadOnlyList<PodAppRequest> MoreApps { get; init; } = [];

    public IReadOnlyList<PodVolume> Volumes { get; init; } = [];

    public IReadOnlyList<PodPortForward> Ports { get; init; } = [];

    /// <summary>Every app of the pod, the first first.</summary>
    public IEnumerable<PodAppRequest> Apps => MoreApps.Prepend(App);
}
