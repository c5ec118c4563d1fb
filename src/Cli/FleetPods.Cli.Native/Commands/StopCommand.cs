using System.CommandLine;
using FleetPods.Cli.Native.Api;
using FleetPods.Cli.Native.Output;

namespace FleetPods.Cli.Native.Commands;

/// <summary>
/// <c>stop UNIT|POD... [--grace 10s] [--force]</c>: a unit's pod (the unit stays loaded), or a pod by id or unique
/// prefix; <c>--force</c> sends SIGKILL at once.
/// </summary>
internal static class StopCommand
{
    public static Command Create()
    {
        var targets = new Argument<string[]>("unit-or-pod") { Description = "Unit names, or pod ids (or unique prefixes)", Arity = ArgumentArity.OneOrMore };
        var force = new Option<bool>("--force") { Description = "SIGKILL at once, without SIGTERM's grace period" };
        var command = new Command("stop", "Stop units' pods or pods: SIGTERM, then SIGKILL after --grace") { targets, GlobalOptions.Grace, force };
        command.SetApiAction(async (context, cancellationToken) =>
        {
            var forced = context.Parse.GetValue(force);
            var query = ApiClient.Query(("grace", DurationText.ToQuery(forced ? TimeSpan.Zero : context.Parse.GetValue(GlobalOptions.Grace))), ("force", forced ? "true" : "false"));
            var failed = false;
            foreach (var argument in context.Parse.GetValue(targets)!)
            {
                try
                {
                    var unitName = UnitArguments.ToUnitName(argument);
                    if (await Lookups.Unit(context.Api, unitName, cancellationToken) is not null)
                    {
                        var unit = await context.Api.Call(HttpMethod.Post, $"v1/units/{ApiClient.Escape(unitName)}/stop{query}", null, cancellationToken);
                        var pod = unit.Field("pod") is { } p ? $"{p.Text("id")} {p.Text("phase")}" : "none";
                        context.Output.Say(CommandOutput.Node(unit), $"Unit {unit.Text("name")} {unit.Text("desiredState")}, pod {pod}");
                        continue;
                    }

                    var found = await Lookups.Pod(context.Api, argument, cancellationToken) ?? throw new CliException($"no unit or pod named '{argument}'");
                    var stopped = await context.Api.Call(HttpMethod.Post, $"v1/pods/{ApiClient.Escape(found.Text("id", ""))}/stop{query}", null, cancellationToken);
                    context.Output.Say(CommandOutput.Node(stopped), $"Pod {stopped.Text("id")} {stopped.Text("phase")}{(stopped.Text("exitCode") is { } code ? $" with code {code}" : "")}");
                }
                catch (Exception ex) when (ex is ApiException or CliException)
                {
                    await Console.Error.WriteLineAsync($"fleetpods: {ex.Message}");
                    failed = true;
                }
            }

            return failed ? ExitCodes.Failure : ExitCodes.Success;
        });
        return command;
    }
}
