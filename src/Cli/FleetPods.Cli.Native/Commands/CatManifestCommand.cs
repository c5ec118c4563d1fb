using System.CommandLine;
using System.Text.Json.Nodes;
using FleetPods.Cli.Native.Api;
using FleetPods.Cli.Native.Output;

namespace FleetPods.Cli.Native.Commands;

/// <summary><c>cat-manifest POD</c>: the pod manifest its node wrote and its stage1 read, as <c>rkt cat-manifest</c> printed it.</summary>
internal static class CatManifestCommand
{
    public static Command Create()
    {
        var pod = new Argument<string>("pod") { Description = "A pod id (or unique prefix)" };
        var command = new Command("cat-manifest", "Print the pod manifest a pod was launched with") { pod };
        command.SetApiAction(async (context, cancellationToken) =>
        {
            var argument = context.Parse.GetValue(pod)!;
            var found = await Lookups.Pod(context.Api, argument, cancellationToken) ?? throw new CliException($"no pod named '{argument}'");
            var id = found.Text("id", "");
            string text;
            try
            {
                text = await context.Api.GetText($"v1/pods/{ApiClient.Escape(id)}/manifest", cancellationToken);
            }
            catch (ApiException ex) when (ApiClient.IsNotFound(ex))
            {
                throw new CliException(ex.Message);
            }

            context.Output.Say(JsonNode.Parse(text), text.TrimEnd('\n'));
            return ExitCodes.Success;
        });
        return command;
    }
}
