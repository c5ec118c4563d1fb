namespace FleetPods.Cli.Native;

/// <summary>A failure the command reports as one line on stderr (<c>fleetpods: …</c>), without a stack trace; exit 1.</summary>
internal sealed class CliException(string message) : Exception(message);
