using System.CommandLine;
using FleetPods.Grains;

namespace FleetPods.Cli.Commands;

/// <summary><c>rm POD...</c>: removes ended pods (their trees on their nodes, and their records), as <c>rkt rm</c>; a running pod is refused.</summary>
public static class RmCommand
{
    public static Command Create()
    {
        var pods = new Argument<string[]>("pod") { Description = "Pod ids (or unique prefixes)", Arity = ArgumentArity.OneOrMore };
        var command = new Command("rm", "Remove ended pods") { pods };
        command.SetClusterAction(async (context, _) =>
        {
            var failed = false;
            foreach (var argument in context.Parse.GetValue(pods)!)
            {
                try
                {
                    var podId = await PodReferences.Resolve(context.Cluster, argument) ?? throw new CliException($"no pod named '{argument}'");
                    var pod = context.Cluster.GetGrain<IPodGrain>(podId);
                    var status = await pod.GetStatus() ?? throw new CliException($"pod {podId} not found");
                    if (!status.HasEnded && status.Phase != PodPhase.Pending)
                    {
                        throw new CliException($"pod {podId} is {Names.Of(status.Phase)}; stop it first (fleetpods stop {podId})");
                    }

                    await pod.Destroy(TimeSpan.Zero);
                    context.Output.Say(new { Id = podId, Removed = true }, $"Pod {podId} removed");
                }
                catch (Exception ex) when (ex is FleetPodsException or CliException)
                {
                    await Console.Error.WriteLineAsync($"fleetpods: {ex.Message}");
                    failed = true;
                }
            }

            return failed ? CommandRunner.Failure : 0;
        });
        return command;
    }
}
