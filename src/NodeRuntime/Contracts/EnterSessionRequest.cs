namespace FleetPods.NodeRuntime;

/// <summary>A command to run inside a running app of a pod, as <c>rkt enter</c> and <c>kubectl exec</c> run one.</summary>
/// <param name="App">The app, or null for the pod's first.</param>
/// <param name="Command">The command and its arguments, looked up in the app's PATH.</param>
/// <param name="Input">Its stdin is written by <see cref="PodRuntime.WriteInputAsync"/>; otherwise it is empty.</param>
/// <param name="Terminal">Its stdin, stdout and stderr are a terminal of this size, or null for pipes.</param>
/// <param name="Environment">Variables on top of the app's PATH and AC_APP_NAME (the caller's TERM, say).</param>
public sealed record EnterSessionRequest(
    string? App,
    IReadOnlyList<string> Command,
    bool Input,
    PodTerminalSize? Terminal,
    IReadOnlyList<KeyValuePair<string, string>> Environment);
