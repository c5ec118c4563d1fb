using System.CommandLine;
using System.Diagnostics;
using FleetPods.Grains;

namespace FleetPods.Cli.Commands;

/// <summary>
/// <c>enter POD [--app NAME] [-- COMMAND [ARGS...]]</c>: runs a command (default <c>/bin/sh</c>) inside a running app,
/// as <c>rkt enter</c>: the node's supervisor binary joins the app's namespaces (setns), cgroups and root with the app's
/// confinement. Like rkt's, it works on the pod's own node: the terminal is the command's. Exits with its code.
/// </summary>
public static class EnterCommand
{
    public static Command Create()
    {
        var pod = new Argument<string>("pod") { Description = "A pod id (or a unique prefix)" };
        var exec = new Argument<string[]>("command") { Description = "What to run (after --); default /bin/sh", Arity = ArgumentArity.ZeroOrMore };
        var app = new Option<string?>("--app") { Description = "The app to enter (default: the pod's first)" };
        var command = new Command("enter", "Run a command inside a running pod's app") { pod, exec, app };
        command.SetClusterAction(async (context, cancellationToken) =>
        {
            var argument = context.Parse.GetValue(pod)!;
            var podId = await PodReferences.Resolve(context.Cluster, argument) ?? throw new CliException($"no pod named '{argument}'");
            var entry = await context.Cluster.GetGrain<IPodGrain>(podId).GetEntry(context.Parse.GetValue(app));
            if (!File.Exists(entry.Command[0]))
            {
                throw new CliException($"pod {podId} runs on node {entry.NodeName}: run 'fleetpods enter' on that machine");
            }

            var start = new ProcessStartInfo(entry.Command[0]) { UseShellExecute = false };
            var arguments = entry.Command.Skip(1).ToList();
            if (Environment.GetEnvironmentVariable("TERM") is { Length: > 0 } term)
            {
                arguments.AddRange(["--env", "TERM=" + term]);
            }

            arguments.Add("--");
            arguments.AddRange(context.Parse.GetValue(exec) is { Length: > 0 } given ? given : ["/bin/sh"]);
            foreach (var word in arguments)
            {
                start.ArgumentList.Add(word);
            }

            using var process = Process.Start(start) ?? throw new CliException($"{entry.Command[0]} did not start");
            await process.WaitForExitAsync(CancellationToken.None);
            return process.ExitCode;
        });
        return command;
    }
}
