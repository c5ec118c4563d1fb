namespace FleetPods.Grains;

/// <summary>A piece of an enter session's output, read from <see cref="Offset"/>.</summary>
/// <param name="NextOffset">Where the next read continues.</param>
/// <param name="ExitCode">The command's exit code, once it has ended and this piece reaches the end of its output; 125 when it could not start.</param>
[GenerateSerializer, Immutable]
public sealed record PodSessionOutput(
    [property: Id(0)] long Offset,
    [property: Id(1)] byte[] Data,
    [property: Id(2)] long NextOffset,
    [property: Id(3)] int? ExitCode);
