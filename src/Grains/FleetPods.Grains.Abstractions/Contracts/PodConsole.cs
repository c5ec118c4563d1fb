namespace FleetPods.Grains;

/// <summary>
/// What a one-off pod's app gets of its caller's console, as <c>rkt run --interactive</c> and <c>docker run -it</c> give:
/// the caller's input on its stdin (<see cref="Input"/>), and a terminal for its stdin, stdout and stderr
/// (<see cref="Terminal"/>) whose size follows the caller's. Units have none: nobody is there to type; which pods can have
/// one is <see cref="PodValidator"/>'s to say.
/// </summary>
/// <param name="Input">The caller's input reaches the app (<see cref="IPodGrain.WriteInput"/>); without it, stdin is empty.</param>
/// <param name="Terminal">The app's terminal and its first size, or null for pipes.</param>
[GenerateSerializer, Immutable]
public sealed record PodConsole([property: Id(0)] bool Input, [property: Id(1)] TerminalSize? Terminal);
