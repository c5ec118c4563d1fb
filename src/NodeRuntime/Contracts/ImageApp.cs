namespace FleetPods.NodeRuntime;

/// <summary>
/// The app an image defines: its defaults for a pod that does not override them. A null user runs as root; a
/// null group is the user's primary group in the pod's <c>/etc/passwd</c>.
/// </summary>
public sealed record ImageApp(
    IReadOnlyList<string> Exec,
    IReadOnlyList<KeyValuePair<string, string>> Environment,
    string? WorkingDirectory,
    string? User,
    string? Group);
