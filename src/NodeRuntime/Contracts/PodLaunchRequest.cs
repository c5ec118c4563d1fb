namespace FleetPods.NodeRuntime;

/// <summary>Everything this node needs to run one pod.</summary>
public sealed record PodLaunchRequest(string PodId, string ImageDigest, PodAppRequest App)
{
    /// <summary>Defaults to <c>fleetpods-</c> and the first 8 characters of the pod id.</summary>
    public string? Hostname { get; init; }

    public Stage1Flavor Stage1 { get; init; } = Stage1Flavor.Ns;

    /// <summary>False copies the image's tree instead of laying an overlayfs over it.</summary>
    public bool Overlay { get; init; } = true;

    public bool PrivateUsers { get; init; }

    public int VolumeCount { get; init; }

    public int PortCount { get; init; }
}
