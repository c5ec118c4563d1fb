namespace FleetPods.Cli.Commands;

/// <summary>
/// <c>run</c> over an Orleans gateway: what the native <c>fleetpods</c> hands over when it cannot ask the local
/// fleetpodsd directly (a remote endpoint, several endpoints, no access to its socket). Its output streams to the
/// terminal and the command exits with the pod's exit code; a pod that failed (or was killed for memory) prints why
/// and exits 1.
/// </summary>
public static class RunCommand
{
    public static System.CommandLine.Command Create()
    {
        var line = new RunCommandLine();
        line.Command.SetClusterAction(async (context, cancellationToken) =>
        {
            var spec = line.ToSpec(context.Parse);
            await using var stdout = Console.OpenStandardOutput();
            return await OneOffPod.Run(
                context.Cluster,
                spec,
                async (data, token) =>
                {
                    await stdout.WriteAsync(data, token);
                    await stdout.FlushAsync(token);
                },
                cancellationToken);
        });
        return line.Command;
    }
}
