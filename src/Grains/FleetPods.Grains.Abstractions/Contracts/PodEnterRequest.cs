namespace FleetPods.Grains;

/// <summary>A command to run inside a running app of a pod (<c>fleetpods enter</c>), as <c>rkt enter</c> and <c>kubectl exec</c> run one.</summary>
/// <param name="App">The app, or null for the pod's first.</param>
/// <param name="Command">The command and its arguments, looked up in the app's PATH.</param>
/// <param name="Console">Its input and terminal, as a run's (<see cref="PodConsole"/>).</param>
/// <param name="TerminalType">The caller's TERM, for a terminal's programs, or null.</param>
[GenerateSerializer, Immutable]
public sealed record PodEnterRequest(
    [property: Id(0)] string? App,
    [property: Id(1)] IReadOnlyList<string> Command,
    [property: Id(2)] PodConsole Console,
    [property: Id(3)] string? TerminalType);
