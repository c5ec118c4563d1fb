namespace FleetPods.Cli.Commands;

/// <summary>
/// <c>run</c> over an Orleans gateway: what the native <c>fleetpods</c> hands over when it cannot ask the local
/// fleetpodsd directly (a remote endpoint, several endpoints, no access to its socket). Its output streams to
/// standard output at the offset the file shares with other writers (<see cref="StandardOutput"/>) and the command
/// exits with the pod's exit code; a pod that failed (or was killed for memory) prints why and exits 1. Output that
/// nobody reads any more (<c>| head</c>) stops the pod and exits 141, as the native command does.
/// </summary>
public static class RunCommand
{
    private const int BrokenPipe = 141;

    public static System.CommandLine.Command Create()
    {
        var line = new RunCommandLine();
        line.Command.SetClusterAction(async (context, cancellationToken) =>
        {
            var spec = line.ToSpec(context.Parse);
            using var outputGone = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            int? outputExitCode = null;
            var exitCode = await OneOffPod.Run(
                context.Cluster,
                spec,
                async (data, _) =>
                {
                    try
                    {
                        if (StandardOutput.TryWrite(data.Span))
                        {
                            return;
                        }

                        outputExitCode = BrokenPipe;
                    }
                    catch (IOException ex)
                    {
                        await Console.Error.WriteLineAsync($"fleetpods: {ex.Message}");
                        outputExitCode = CommandRunner.Failure;
                    }

                    // The pod is stopped as on Ctrl-C: nothing runs unwatched.
                    await outputGone.CancelAsync();
                },
                outputGone.Token);
            return outputExitCode ?? exitCode;
        });
        return line.Command;
    }
}
