using System.CommandLine;
using FleetPods.Grains;

namespace FleetPods.Cli.Commands;

/// <summary><c>gc</c>, as rkt's: removes the trees of pods that ended longer than the grace period ago.</summary>
public static class GarbageCollectCommand
{
    // How long each node may take to remove its ended pods' trees.
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(25);

    public static Command Create()
    {
        var grace = ImageCommands.GracePeriod(TimeSpan.FromMinutes(30), "Remove pods that ended longer ago than this");
        var node = new Option<string?>("--node") { Description = "Only this node (default: every node that is up)" };
        var command = new Command("gc", "Remove the trees (root filesystem, logs) of pods that ended longer than the grace period ago") { grace, node };
        command.SetClusterAction(async (context, cancellationToken) =>
        {
            var answers = await EveryNode.Ask(context.Cluster, context.Parse.GetValue(node), Within,
                n => context.Cluster.GetGrain<INodeGrain>(n).CollectPodGarbage(context.Parse.GetValue(grace)), cancellationToken);
            var removed = answers.Answers.SelectMany(a => a.Answer.Select(pod => new RemovedPod(pod, a.Node))).ToList();
            answers.WarnSkipped("its pods were not collected");
            context.Output.Write(new { Removed = removed, answers.Skipped }, ["removed pod", "node"], removed.Select(r => (IReadOnlyList<string>)[r.Pod, r.Node]));
            return 0;
        });
        return command;
    }

    private sealed record RemovedPod(string Pod, string Node);
}
