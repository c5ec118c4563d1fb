using System.CommandLine;
using System.Net;
using FleetPods.Cli.Native.Api;
using FleetPods.Cli.Native.Output;

namespace FleetPods.Cli.Native.Commands;

/// <summary>
/// <c>status UNIT|POD [--wait]</c>: a unit and its pods, or one pod by id (or a unique prefix of it, as rkt took);
/// with --wait, once the pod (every pod of the unit) has ended, from the API's wait calls. It exits 0 whenever it
/// shows the status, whatever the pod's own exit code (shown, as rkt status --wait does); 1 when there is nothing to
/// show or wait for; 130 when interrupted while waiting (the pod keeps running).
/// </summary>
internal static class StatusCommand
{
    public static Command Create()
    {
        var target = new Argument<string>("unit-or-pod") { Description = "A unit name or a pod id (or a unique prefix of one)" };
        var wait = new Option<bool>("--wait") { Description = "Wait until the pod (every pod of a unit) has ended, then show it (as rkt status --wait)" };
        var command = new Command("status", "Show a unit and its pod, or one pod") { target, wait };
        command.SetApiAction(async (context, cancellationToken) =>
        {
            var argument = context.Parse.GetValue(target)!;
            var waiting = context.Parse.GetValue(wait);
            var unitName = UnitArguments.ToUnitName(argument);
            if (await Lookups.Unit(context.Api, unitName, cancellationToken) is { } unit)
            {
                if (waiting)
                {
                    unit = await Wait(context.Api, $"v1/units/{ApiClient.Escape(unitName)}/wait", $"unit {unitName} was destroyed while waiting for its pod", cancellationToken);
                }

                context.Output.Say(CommandOutput.Node(unit), StatusText.Unit(unit));
                return ExitCodes.Success;
            }

            var pod = await Lookups.Pod(context.Api, argument, cancellationToken) ?? throw new CliException($"no unit or pod named '{argument}'");
            if (waiting)
            {
                var id = pod.Text("id", "");
                pod = await Wait(context.Api, $"v1/pods/{ApiClient.Escape(id)}/wait", $"pod {id} vanished", cancellationToken);
            }

            context.Output.Say(CommandOutput.Node(pod), StatusText.Pod(pod));
            return ExitCodes.Success;
        });
        return command;
    }

    private static async Task<System.Text.Json.JsonElement> Wait(ApiClient api, string path, string vanished, CancellationToken cancellationToken)
    {
        try
        {
            return await api.GetJson(path, cancellationToken);
        }
        catch (ApiException ex) when (ex.Status == HttpStatusCode.NotFound)
        {
            throw new CliException(vanished);
        }
    }
}
