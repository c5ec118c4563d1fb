using System.CommandLine;
using System.Text;
using FleetPods.Cli.Native.Api;
using FleetPods.Cli.Native.Output;
using FleetPods.Cli.Native.Terminal;

namespace FleetPods.Cli.Native.Commands;

/// <summary>
/// <c>enter POD [--app NAME] [-- COMMAND [ARGS...]]</c>: runs a command (default <c>/bin/sh</c>) inside a running app,
/// as <c>rkt enter</c> and <c>kubectl exec</c>: the pod's node joins the app's namespaces, cgroups and root with the
/// app's confinement (<c>POST /v1/pods/{id}/enter</c>), wherever this command runs and whoever may (an operator in a
/// baseline pod, an admin in any). Stdin goes to it; when stdin is a terminal the command gets a terminal of its own
/// that follows this one's size while this one is raw. The command exits with the command's code.
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
            var size = LocalTerminal.Size();
            var body = ApiClient.Json(json =>
            {
                json.WriteStartObject();
                if (context.Parse.GetValue(app) is { } name)
                {
                    json.WriteString("app", name);
                }

                json.WriteStartArray("command");
                foreach (var word in context.Parse.GetValue(exec) ?? [])
                {
                    json.WriteStringValue(word);
                }

                json.WriteEndArray();
                if (size is { } terminal)
                {
                    json.WriteStartObject("terminal");
                    json.WriteNumber("rows", terminal.Rows);
                    json.WriteNumber("columns", terminal.Columns);
                    json.WriteEndObject();
                    if (Environment.GetEnvironmentVariable("TERM") is { Length: > 0 } term)
                    {
                        json.WriteString("terminalType", term);
                    }
                }

                json.WriteEndObject();
            });
            using var response = await context.Api.Send(
                new HttpRequestMessage(HttpMethod.Post, $"v1/pods/{ApiClient.Escape(id)}/enter") { Content = body }, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            using var lines = new StreamReader(await response.Content.ReadAsStreamAsync(CancellationToken.None), Encoding.UTF8);
            using var console = new ConsoleForwarder(context.Api);
            // Ctrl-C at a terminal is the command's key (raw mode); otherwise it closes the answer, and the daemon ends
            // the command of a caller gone away.
            await using var onInterrupt = cancellationToken.Register(response.Dispose);
            ConsoleAnswer.Ending? ending;
            try
            {
                ending = await ConsoleAnswer.Follow(lines, "session", started => console.Attach(id, started.Id, started.Input, started.Terminal));
            }
            catch (Exception ex) when (cancellationToken.IsCancellationRequested && ex is IOException or ObjectDisposedException or HttpRequestException)
            {
                return ExitCodes.Interrupted;
            }

            console.Dispose();
            if (ending is null)
            {
                await Console.Error.WriteLineAsync($"fleetpods: fleetpodsd went away before the command in pod {id} ended");
                return ExitCodes.Failure;
            }

            return ending.Code;
        });
        return command;
    }
}
