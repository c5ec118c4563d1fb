using System.CommandLine;
using System.Text;
using FleetPods.Cli.Native.Api;
using FleetPods.Cli.Native.Terminal;

namespace FleetPods.Cli.Native.Commands;

/// <summary>
/// <c>run [FLAGS] IMAGE... [-- COMMAND [ARGS...]]</c>: POST /v1/run with the words after <c>run</c>; the daemon parses
/// them, places the pod and streams NDJSON: <c>{"pod"}</c>, <c>{"output"}</c>…, <c>{"error"}</c>, and last
/// <c>{"exitCode"}</c>. The output goes to standard output at the offset the file shares with other writers
/// (<see cref="StandardOutput"/>); the command exits with the pod's code. Ctrl-C or SIGTERM asks the daemon to stop the
/// pod (SIGTERM, SIGKILL after 10 s) and the command reads on to its end, then exits 130; output that nobody reads any
/// more (<c>| head</c>) closes the connection, which stops the pod, and exits 141. Nothing runs unwatched. With
/// <c>-i</c> stdin goes to the pod, and with <c>-t</c> this terminal is raw while the pod's stands in for it
/// (<see cref="ConsoleForwarder"/>).
/// </summary>
internal static class RunCommand
{
    private const string Flags = "--stage1 ns|kvm|fly, --private-users, --no-overlay, --net default|host|none, --memory 64M, --cpu 500m, "
        + "--volume NAME,kind=host,source=/path[,readOnly=true] | NAME,kind=empty, --mount volume=NAME,target=/path, "
        + "--port NAME:HOSTPORT[:PODPORT]/tcp|udp, --set-env NAME=VALUE, --user U, --group G, -i/--interactive, -t/--tty";

    public static Command Create(IReadOnlyList<string> commandLine)
    {
        var words = new Argument<string[]>("image") { Description = $"Flags ({Flags}), image names or digests (one app each), then -- and the first app's command", Arity = ArgumentArity.ZeroOrMore };
        // run's flags are the daemon's to read (one parser for a flag and a unit file's key); here they are words.
        var command = new Command("run", "Run a one-off pod and stream its output; exits with the app's exit code") { words };
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetApiAction((context, cancellationToken) => Run(context.Api, RunWords.From(commandLine) ?? [], cancellationToken));
        return command;
    }

    private static async Task<int> Run(ApiClient api, IReadOnlyList<string> arguments, CancellationToken interrupted)
    {
        var body = ApiClient.Json(json =>
        {
            json.WriteStartObject();
            json.WriteStartArray("arguments");
            foreach (var word in arguments)
            {
                json.WriteStringValue(word);
            }

            json.WriteEndArray();
            if (LocalTerminal.Size() is { } size)
            {
                // Used only if the words ask for a terminal (-t): the daemon reads them.
                json.WriteStartObject("terminal");
                json.WriteNumber("rows", size.Rows);
                json.WriteNumber("columns", size.Columns);
                json.WriteEndObject();
            }

            json.WriteEndObject();
        });
        // The stream is read to its end whatever a signal says: the signal's part is to stop the pod.
        using var response = await api.Send(new HttpRequestMessage(HttpMethod.Post, "v1/run") { Content = body }, HttpCompletionOption.ResponseHeadersRead, CancellationToken.None);
        using var lines = new StreamReader(await response.Content.ReadAsStreamAsync(CancellationToken.None), Encoding.UTF8);
        var stopper = new PodStopper(api);
        await using var onInterrupt = interrupted.Register(stopper.Interrupt);
        using var console = new ConsoleForwarder(api);
        var ending = await ConsoleAnswer.Follow(lines, "pod", started =>
        {
            stopper.Placed(started.Id);
            console.Attach(started.Id, sessionId: null, started.Input, started.Terminal);
        });
        // This terminal is itself again before anything more is printed.
        console.Dispose();
        switch (ending)
        {
            case null:
                await Console.Error.WriteLineAsync("fleetpods: fleetpodsd went away before the pod ended (it keeps running; see fleetpods list-pods)");
                return ExitCodes.Failure;
            case { Answered: false }:
                return ending.Code;
            default:
                await stopper.Stopped;
                return stopper.WasInterrupted ? ExitCodes.Interrupted : ending.Code;
        }
    }

    /// <summary>Stops the run's pod once when interrupted, as soon as both the signal and the pod's id are there.</summary>
    private sealed class PodStopper(ApiClient api)
    {
        private readonly Lock gate = new();
        private string? pod;
        private Task stopped = Task.CompletedTask;

        public bool WasInterrupted { get; private set; }

        /// <summary>The stop call, so its line (if it failed) comes before the command exits.</summary>
        public Task Stopped
        {
            get
            {
                lock (gate)
                {
                    return stopped;
                }
            }
        }

        public void Interrupt()
        {
            lock (gate)
            {
                WasInterrupted = true;
                Start();
            }
        }

        public void Placed(string id)
        {
            lock (gate)
            {
                pod = id;
                Start();
            }
        }

        private void Start()
        {
            if (WasInterrupted && pod is { } id && stopped.IsCompleted && stopped == Task.CompletedTask)
            {
                stopped = Stop(id);
            }
        }

        private async Task Stop(string id)
        {
            try
            {
                await api.SendJson(HttpMethod.Post, $"v1/pods/{ApiClient.Escape(id)}/stop", null, CancellationToken.None);
            }
            catch (Exception ex) when (ex is ApiException or HttpRequestException or CliException)
            {
                await Console.Error.WriteLineAsync($"fleetpods: could not stop pod {id}: {ex.Message}");
            }
        }
    }
}
