using System.CommandLine;
using FleetPods.Grains;

namespace FleetPods.Cli.Commands;

/// <summary>
/// <c>run [FLAGS] IMAGE... [-- COMMAND [ARGS...]]</c>: a one-off pod, as <c>rkt run</c>; several images make several
/// apps. Its output streams to the terminal and the command exits with the pod's exit code; a pod that failed (or was
/// killed for memory) prints why and exits 1.
/// </summary>
public static class RunCommand
{
    private const int LogChunkBytes = 256 * 1024;
    private static readonly TimeSpan IdlePoll = TimeSpan.FromMilliseconds(25);

    public static Command Create()
    {
        var words = new Argument<string[]>("image") { Description = "Image names or digests (one app each), then -- and the first app's command", Arity = ArgumentArity.OneOrMore };
        var flags = new RunFlags();
        var command = new Command("run", "Run a one-off pod and stream its output; exits with the app's exit code") { words };
        flags.AddTo(command);
        command.SetClusterAction(async (context, cancellationToken) =>
        {
            var (images, argv) = SplitCommand(context.Parse, context.Parse.GetValue(words)!);
            var spec = flags.ToSpec(context.Parse, images, argv);
            var pod = context.Cluster.GetGrain<IPodGrain>(Guid.NewGuid().ToString());
            var status = await pod.Create(spec, null, start: true, requiredNode: null);
            if (status.NodeName is null)
            {
                throw new CliException($"pod {status.Id} cannot be placed: {status.Reason}");
            }

            try
            {
                return await Follow(pod, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                await pod.Stop(TimeSpan.FromSeconds(10));
                return 130;
            }
        });
        return command;
    }

    // Before --: the images; after it, the first app's command. Without --, as before several images: IMAGE COMMAND....
    private static (string[] Images, string[]? Command) SplitCommand(ParseResult parse, string[] words)
    {
        var tokens = parse.Tokens.ToList();
        var dash = tokens.FindIndex(t => t.Type == System.CommandLine.Parsing.TokenType.DoubleDash);
        var command = dash >= 0 ? tokens.Skip(dash + 1).Select(t => t.Value).ToArray() : words[1..];
        var images = words[..(words.Length - command.Length)];
        if (images.Length == 0)
        {
            throw new CliException("run needs an image before --");
        }

        return (images, command.Length > 0 ? command : null);
    }

    private static async Task<int> Follow(IPodGrain pod, CancellationToken cancellationToken)
    {
        await using var stdout = Console.OpenStandardOutput();
        long offset = 0;
        while (true)
        {
            var log = await pod.ReadLog(offset, LogChunkBytes);
            if (log.Data.Length > 0)
            {
                await stdout.WriteAsync(log.Data, cancellationToken);
                await stdout.FlushAsync(cancellationToken);
                offset = log.NextOffset;
                continue;
            }

            var status = await pod.GetStatus() ?? throw new CliException("the pod vanished");
            if (status.HasEnded && (log.Complete || status.Phase == PodPhase.Failed))
            {
                if (status.Phase == PodPhase.Failed)
                {
                    throw new CliException($"pod {status.Id} failed: {status.Reason}");
                }

                return status.ExitCode ?? CommandRunner.Failure;
            }

            await Task.Delay(IdlePoll, cancellationToken);
        }
    }
}
