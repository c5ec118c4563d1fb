using System.CommandLine;
using FleetPods.Grains;
using FleetPods.Grains.UnitFiles;

namespace FleetPods.Cli.Commands;

/// <summary>
/// <c>run IMAGE [-- COMMAND [ARGS...]]</c>: a one-off pod, as <c>rkt run</c>. Its output streams to the
/// terminal and the command exits with the app's exit code.
/// </summary>
public static class RunCommand
{
    private const int LogChunkBytes = 256 * 1024;
    private static readonly TimeSpan IdlePoll = TimeSpan.FromMilliseconds(25);

    public static Command Create()
    {
        var image = new Argument<string>("image") { Description = "Image name or digest" };
        var exec = new Argument<string[]>("command") { Description = "Replaces the image's exec (after --)", Arity = ArgumentArity.ZeroOrMore };
        var stage1 = new Option<Stage1Flavor>("--stage1") { Description = "ns (default), kvm or fly", DefaultValueFactory = _ => Stage1Flavor.Ns };
        var command = new Command("run", "Run a one-off pod and stream its output; exits with the app's exit code") { image, exec, stage1 };
        command.SetClusterAction(async (context, cancellationToken) =>
        {
            var argv = context.Parse.GetValue(exec) is { Length: > 0 } given ? given : null;
            var spec = PodSpec.ForImage(context.Parse.GetValue(image)!, argv, context.Parse.GetValue(stage1));
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
