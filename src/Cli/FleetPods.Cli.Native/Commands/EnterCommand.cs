using System.CommandLine;
using System.Diagnostics;
using FleetPods.Cli.Native.Api;
using FleetPods.Cli.Native.Output;

namespace FleetPods.Cli.Native.Commands;

/// <summary>
/// <c>enter POD [--app NAME] [-- COMMAND [ARGS...]]</c>: runs a command (default <c>/bin/sh</c>) inside a running app,
/// as <c>rkt enter</c>: the node's supervisor binary (<c>fleetpods-shim --enter</c>) joins the app's namespaces,
/// cgroups and root with the app's confinement. Like rkt's, it works on the pod's own node, through that node's own
/// daemon (its API socket): the terminal is the command's, and the command exits with its code. The daemon says how
/// to enter (the shim's command line), and only to an admin, as joining a pod's namespaces takes root.
/// </summary>
internal static class EnterCommand
{
    public static Command Create()
    {
        var pod = new Argument<string>("pod") { Description = "A pod id (or a unique prefix)" };
        var exec = new Argument<string[]>("command") { Description = "What to run (after --); default /bin/sh", Arity = ArgumentArity.ZeroOrMore };
        var app = new Option<string?>("--app") { Description = "The app to enter (default: the pod's first)" };
        var command = new Command("enter", "Run a command inside a running pod's app") { pod, exec, app };
        command.SetApiAction(async (context, cancellationToken) =>
        {
            var argument = context.Parse.GetValue(pod)!;
            var found = await Lookups.Pod(context.Api, argument, cancellationToken) ?? throw new CliException($"no pod named '{argument}'");
            var id = found.Text("id", "");
            var whoami = await context.Api.GetJson("v1/whoami", cancellationToken);
            var node = found.Text("nodeName");
            if (!context.Api.IsLocal || node != whoami.Text("node"))
            {
                throw new CliException($"pod {id} runs on node {node ?? "(none yet)"}: run 'fleetpods enter' on that machine");
            }

            var entry = await context.Api.GetJson($"v1/pods/{ApiClient.Escape(id)}/entry{ApiClient.Query(("app", context.Parse.GetValue(app)))}", cancellationToken);
            var shim = entry.Items("command").Select(w => w.GetString() ?? "").ToList();
            if (shim.Count == 0 || !File.Exists(shim[0]))
            {
                throw new CliException($"pod {id}: the node's supervisor {(shim.Count == 0 ? "" : shim[0] + " ")}is not on this machine");
            }

            var start = new ProcessStartInfo(shim[0]) { UseShellExecute = false };
            var arguments = shim.Skip(1).ToList();
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

            using var process = Process.Start(start) ?? throw new CliException($"{shim[0]} did not start");
            // Ctrl-C belongs to the command inside (same terminal, same process group); this waits for its end.
            await process.WaitForExitAsync(CancellationToken.None);
            return process.ExitCode;
        });
        return command;
    }
}
