using System.CommandLine;
using FleetPods.Grains;

namespace FleetPods.Cli.Commands;

/// <summary><c>gc</c>, as rkt's: removes the trees of pods that ended longer than the grace period ago.</summary>
public static class GarbageCollectCommand
{
    public static Command Create()
    {
        var grace = ImageCommands.GracePeriod(TimeSpan.FromMinutes(30), "Remove pods that ended longer ago than this");
        var node = new Option<string?>("--node") { Description = "Only this node (default: every node)" };
        var command = new Command("gc", "Remove the trees (root filesystem, logs) of pods that ended longer than the grace period ago") { grace, node };
        command.SetClusterAction(async (context, _) =>
        {
            var nodes = context.Parse.GetValue(node) is { } one ? [one] : await context.Cluster.GetGrain<IRegistryGrain>(RegistryKind.Nodes).List();
            var removed = (await Task.WhenAll(nodes.Select(async n => (await context.Cluster.GetGrain<INodeGrain>(n).CollectPodGarbage(context.Parse.GetValue(grace))).Select(p => (Pod: p, Node: n)))))
                .SelectMany(r => r).ToList();
            context.Output.Write(removed.Select(r => new { r.Pod, r.Node }).ToList(), ["removed pod", "node"], removed.Select(r => (IReadOnlyList<string>)[r.Pod, r.Node]));
            return 0;
        });
        return command;
    }
}
