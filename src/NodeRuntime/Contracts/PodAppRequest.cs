namespace FleetPods.NodeRuntime;

/// <summary>An app of a pod; null fields fall back to the app's image.</summary>
public sealed record PodAppRequest(
    string Name,
    IReadOnlyList<string>? Exec,
    IReadOnlyList<KeyValuePair<string, string>> Environment,
    string? WorkingDirectory,
    string? User,
    string? Group)
{
    /// <summary>The app's own image, or null for the pod's (<see cref="PodLaunchRequest.ImageDigest"/>).</summary>
    public string? ImageDigest { get; init; }

    /// <summary>The pod's volumes this app sees, and where.</summary>
    public IReadOnlyList<PodMount> Mounts { get; init; } = [];

    /// <summary>Group ids the app runs with beside its user's own groups (appc's supplementaryGIDs).</summary>
    public IReadOnlyList<uint> SupplementaryGroups { get; init; } = [];
}
