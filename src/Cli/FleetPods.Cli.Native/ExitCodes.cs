namespace FleetPods.Cli.Native;

/// <summary>The exit codes docs/cli.md's table promises; <c>run</c> and <c>enter</c> otherwise exit with what they ran.</summary>
internal static class ExitCodes
{
    public const int Success = 0;

    public const int Failure = 1;

    /// <summary>As a shell reports a command stopped by SIGINT (128 + 2).</summary>
    public const int Interrupted = 130;

    /// <summary>As a shell reports a command killed by SIGPIPE (128 + 13): .NET ignores the signal and fails the write instead.</summary>
    public const int BrokenPipe = 141;
}
