using System.CommandLine;
using FleetPods.Cli.Native.Api;
using FleetPods.Cli.Native.Output;

namespace FleetPods.Cli.Native.Commands;

/// <summary><c>gc</c>, as rkt's: removes the trees of pods that ended longer than the grace period ago, on every node that is up (or --node).</summary>
internal static class GarbageCollectCommand
{
    public static Command Create()
    {
        var grace = ImageCommands.GracePeriod(TimeSpan.FromMinutes(30), "Remove pods that ended longer ago than this");
        var node = new Option<string?>("--node") { Description = "Only this node (default: every node that is up)" };
        var command = new Command("gc", "Remove the trees (root filesystem, logs) of pods that ended longer than the grace period ago") { grace, node };
        command.SetApiAction(async (context, cancellationToken) =>
        {
            var query = ApiClient.Query(("gracePeriod", DurationText.ToQuery(context.Parse.GetValue(grace))), ("node", context.Parse.GetValue(node)));
            var answer = await context.Api.Call(HttpMethod.Post, $"v1/gc{query}", null, cancellationToken);
            SkippedNodes.Warn(answer, "its pods were not collected");
            context.Output.Table(CommandOutput.Node(answer), ["removed pod", "node"], answer.Items("removed").Select(r => (IReadOnlyList<string>)[r.Text("pod", ""), r.Text("node", "")]));
            return ExitCodes.Success;
        });
        return command;
    }
}
