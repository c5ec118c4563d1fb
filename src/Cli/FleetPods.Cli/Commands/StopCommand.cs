using System.CommandLine;
using FleetPods.Grains;

namespace FleetPods.Cli.Commands;

/// <summary>
/// <c>stop UNIT|POD... [--grace 10s] [--force]</c>: a unit's pod (the unit stays loaded), or a pod by id or unique
/// prefix; <c>--force</c> sends SIGKILL at once.
/// </summary>
public static class StopCommand
{
    public static Command Create()
    {
        var targets = new Argument<string[]>("unit-or-pod") { Description = "Unit names, or pod ids (or unique prefixes)", Arity = ArgumentArity.OneOrMore };
        var force = new Option<bool>("--force") { Description = "SIGKILL at once, without SIGTERM's grace period" };
        var command = new Command("stop", "Stop units' pods or pods: SIGTERM, then SIGKILL after --grace") { targets, GlobalOptions.Grace, force };
        command.SetClusterAction(async (context, _) =>
        {
            var grace = context.Parse.GetValue(force) ? TimeSpan.Zero : context.Parse.GetValue(GlobalOptions.Grace);
            var failed = false;
            foreach (var argument in context.Parse.GetValue(targets)!)
            {
                try
                {
                    var unit = context.Cluster.GetGrain<IUnitGrain>(UnitArguments.ToUnitName(argument));
                    if (await unit.GetStatus() is not null)
                    {
                        var status = await unit.Stop(grace);
                        context.Output.Say(status, $"Unit {status.Name} {Names.Of(status.DesiredState)}, pod {(status.Pod is { } p ? $"{p.Id} {Names.Of(p.Phase)}" : "none")}");
                        continue;
                    }

                    var podId = await PodReferences.Resolve(context.Cluster, argument) ?? throw new CliException($"no unit or pod named '{argument}'");
                    var pod = await context.Cluster.GetGrain<IPodGrain>(podId).Stop(grace);
                    context.Output.Say(pod, $"Pod {pod.Id} {Names.Of(pod.Phase)}{(pod.ExitCode is { } code ? $" with code {code}" : "")}");
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
