namespace FleetPods.Grains;

/// <summary>How to run a command inside a running app of a pod, as <c>rkt enter</c> did.</summary>
/// <param name="NodeName">The node the pod runs on: the command line works there only.</param>
/// <param name="Command">The command line to run on that node; append <c>--</c> and the command to run inside the app.</param>
[GenerateSerializer, Immutable]
public sealed record PodEntry(
    [property: Id(0)] string NodeName,
    [property: Id(1)] IReadOnlyList<string> Command);
