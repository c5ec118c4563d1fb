using System.CommandLine;
using FleetPods.Cli.Native.Api;
using FleetPods.Cli.Native.Output;

namespace FleetPods.Cli.Native.Commands;

/// <summary>fleet's unit transitions: <c>load</c>, <c>start</c> (<see cref="StartCommand"/>), <c>unload</c>, <c>destroy</c>, each on UNIT... (<c>stop</c> takes pods too: <see cref="StopCommand"/>).</summary>
internal static class UnitStateCommands
{
    public static IEnumerable<Command> Create()
    {
        yield return Transition("load", "Place units' pods on nodes and reserve their resources, without starting them", withGrace: false,
            (unit, _) => (HttpMethod.Post, $"v1/units/{unit}/load"));
        yield return StartCommand.Create();
        yield return Transition("unload", "Stop units' pods and remove them from their nodes", withGrace: true,
            (unit, grace) => (HttpMethod.Post, $"v1/units/{unit}/unload{ApiClient.Query(("grace", DurationText.ToQuery(grace)))}"));
        yield return Transition("destroy", "Unload units and forget them", withGrace: true,
            (unit, grace) => (HttpMethod.Delete, $"v1/units/{unit}{ApiClient.Query(("grace", DurationText.ToQuery(grace)))}"));
    }

    private static Command Transition(string name, string description, bool withGrace, Func<string, TimeSpan, (HttpMethod Method, string Path)> request)
    {
        var units = new Argument<string[]>("unit") { Description = "Unit names (web, web.pod, web@1.pod)", Arity = ArgumentArity.OneOrMore };
        var command = new Command(name, description) { units };
        if (withGrace)
        {
            command.Options.Add(GlobalOptions.Grace);
        }

        command.SetApiAction(async (context, cancellationToken) =>
        {
            var grace = withGrace ? context.Parse.GetValue(GlobalOptions.Grace) : TimeSpan.Zero;
            var failed = false;
            foreach (var argument in context.Parse.GetValue(units)!)
            {
                try
                {
                    var unitName = UnitArguments.ToUnitName(argument);
                    var (method, path) = request(ApiClient.Escape(unitName), grace);
                    var status = await context.Api.SendJson(method, path, null, cancellationToken);
                    context.Output.Say(status is { } json ? CommandOutput.Node(json) : null, status is { } unit ? StatusText.Transition(unit) : $"Unit {unitName} destroyed");
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
