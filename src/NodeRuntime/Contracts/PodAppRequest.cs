namespace FleetPods.NodeRuntime;

/// <summary>The app of a pod; null fields fall back to the image's app.</summary>
public sealed record PodAppRequest(
    string Name,
    IReadOnlyList<string>? Exec,
    IReadOnlyList<KeyValuePair<string, string>> Environment,
    string? WorkingDirectory,
    string? User,
    string? Group);
