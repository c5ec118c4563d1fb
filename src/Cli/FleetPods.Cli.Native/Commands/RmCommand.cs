using System.CommandLine;
using System.Text.Json.Nodes;
using FleetPods.Cli.Native.Api;
using FleetPods.Cli.Native.Output;

namespace FleetPods.Cli.Native.Commands;

/// <summary><c>rm POD...</c>: removes ended pods (their trees on their nodes, and their records), as <c>rkt rm</c>; the daemon refuses a running pod.</summary>
internal static class RmCommand
{
    public static Command Create()
    {
        var pods = new Argument<string[]>("pod") { Description = "Pod ids (or unique prefixes)", Arity = ArgumentArity.OneOrMore };
        var command = new Command("rm", "Remove ended pods") { pods };
        command.SetApiAction(async (context, cancellationToken) =>
        {
            var failed = false;
            foreach (var argument in context.Parse.GetValue(pods)!)
            {
                try
                {
                    var pod = await Lookups.Pod(context.Api, argument, cancellationToken) ?? throw new CliException($"no pod named '{argument}'");
                    var id = pod.Text("id", "");
                    await context.Api.SendJson(HttpMethod.Delete, $"v1/pods/{ApiClient.Escape(id)}", null, cancellationToken);
                    context.Output.Say(new JsonObject { ["id"] = id, ["removed"] = true }, $"Pod {id} removed");
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
