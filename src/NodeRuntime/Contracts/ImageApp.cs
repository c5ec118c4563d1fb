namespace FleetPods.NodeRuntime;

/// <summary>The app an image defines: its defaults for a pod that does not override them.</summary>
public sealed record ImageApp(
    IReadOnlyList<string> Exec,
    IReadOnlyList<KeyValuePair<string, string>> Environment,
    string? WorkingDirectory,
    string User,
    string Group);
