using FleetPods.Grains.UnitFiles;

namespace FleetPods.Grains;

/// <summary>
/// What a one-off pod's app gets of its caller's console, as <c>rkt run --interactive</c> and <c>docker run -it</c> give:
/// the caller's input on its stdin (<see cref="Input"/>), and a terminal for its stdin, stdout and stderr
/// (<see cref="Terminal"/>) whose size follows the caller's. Units have none: nobody is there to type.
/// </summary>
/// <param name="Input">The caller's input reaches the app (<see cref="IPodGrain.WriteInput"/>); without it, stdin is empty.</param>
/// <param name="Terminal">The app's terminal and its first size, or null for pipes.</param>
[GenerateSerializer, Immutable]
public sealed record PodConsole([property: Id(0)] bool Input, [property: Id(1)] TerminalSize? Terminal)
{
    /// <summary>Why <paramref name="pod"/> cannot have a console, or null when it can.</summary>
    public static string? FindConflict(PodSection pod)
    {
        ArgumentNullException.ThrowIfNull(pod);
        if (pod.Apps.Count > 0)
        {
            return $"input and a terminal reach one app, and the pod has {pod.Apps.Count + 1}";
        }

        return pod.Stage1 == Stage1Flavor.Kvm ? "stage1 kvm does not relay input or a terminal into its VM yet (stage1 ns or fly)" : null;
    }
}
