namespace FleetPods.NodeRuntime;

/// <summary>A piece of an enter session's output; <see cref="ExitCode"/> once the command has ended and this reaches the end of it.</summary>
public sealed record EnterSessionOutput(byte[] Data, long NextOffset, int? ExitCode);
