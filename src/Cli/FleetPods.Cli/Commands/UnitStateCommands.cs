using System.CommandLine;
using FleetPods.Grains;

namespace FleetPods.Cli.Commands;

/// <summary>fleet's unit transitions: <c>load</c>, <c>start</c>, <c>unload</c>, <c>destroy</c>, each on UNIT... (<c>stop</c> takes pods too: <see cref="StopCommand"/>).</summary>
public static class UnitStateCommands
{
    public static IEnumerable<Command> Create()
    {
        yield return Transition("load", "Place units' pods on nodes and reserve their resources, without starting them", withGrace: false,
            async (unit, _) => await unit.Load());
        yield return Transition("start", "Start units (a path to a unit file is submitted first)", withGrace: false,
            async (unit, _) => await unit.Start());
        yield return Transition("unload", "Stop units' pods and remove them from their nodes", withGrace: true,
            async (unit, grace) => await unit.Unload(grace));
        yield return Transition("destroy", "Unload units and forget them", withGrace: true,
            async (unit, grace) =>
            {
                await unit.Destroy(grace);
                return null;
            });
    }

    private static Command Transition(string name, string description, bool withGrace, Func<IUnitGrain, TimeSpan, Task<UnitStatus?>> act)
    {
        var units = new Argument<string[]>("unit") { Description = "Unit names (web, web.pod, web@1.pod) or, for start, unit files", Arity = ArgumentArity.OneOrMore };
        var command = new Command(name, description) { units };
        if (withGrace)
        {
            command.Options.Add(GlobalOptions.Grace);
        }

        command.SetClusterAction(async (context, cancellationToken) =>
        {
            var grace = withGrace ? context.Parse.GetValue(GlobalOptions.Grace) : TimeSpan.Zero;
            var failed = false;
            foreach (var argument in context.Parse.GetValue(units)!)
            {
                if (name == "start" && UnitArguments.IsFile(argument) && !await SubmitCommand.Submit(context, argument, cancellationToken))
                {
                    failed = true;
                    continue;
                }

                var unitName = UnitArguments.ToUnitName(argument);
                try
                {
                    var status = await act(context.Cluster.GetGrain<IUnitGrain>(unitName), grace);
                    context.Output.Say(status, status is null ? $"Unit {unitName} destroyed" : Describe(status));

                    // A start whose pod could not be launched (its image on no node, a setting its node refused) did not start it.
                    failed |= name == "start" && status is not null && UnitPods.Of(status).Any(p => p.Phase == PodPhase.Failed);
                }
                catch (FleetPodsException ex)
                {
                    await Console.Error.WriteLineAsync($"fleetpods: {ex.Message}");
                    failed = true;
                }
            }

            return failed ? CommandRunner.Failure : 0;
        });
        return command;
    }

    // The first failed pod if any (the reason a start exits 1), else the unit's first pod.
    private static string Describe(UnitStatus status)
    {
        var shown = UnitPods.Of(status).FirstOrDefault(p => p.Phase == PodPhase.Failed) ?? status.Pod;
        var pod = shown is { } p
            ? $"pod {p.Id} {Names.Of(p.Phase)}{(p.NodeName is null ? "" : $" on {p.NodeName}")}{(p.Reason is null ? "" : $": {p.Reason}")}"
            : "no pod";
        return $"Unit {status.Name} {Names.Of(status.DesiredState)}, {pod}";
    }
}
