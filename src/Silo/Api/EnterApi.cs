using FleetPods.Cli;
using FleetPods.Grains;
using FleetPods.Security;
using FleetPods.Silo.FrontDoor;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;

namespace FleetPods.Silo.Api;

/// <summary>
/// <c>POST /v1/pods/{id}/enter</c>: <c>fleetpods enter</c>, a command run inside a running app by the pod's node, as
/// <c>rkt enter</c> and <c>kubectl exec</c> do, for an operator in a baseline pod and an admin in any. The answer
/// streams as NDJSON: <c>{"session": id}</c> once the command runs (with <c>"input"</c> and <c>"terminal"</c> as
/// asked), <c>{"output": base64}</c> as it writes, last <c>{"exitCode": n}</c>. Its input and terminal size go to
/// <see cref="PodConsoleApi"/> with <c>?session=</c>. A caller that goes away ends the command.
/// </summary>
public static class EnterApi
{
    private const int OutputChunkBytes = 256 * 1024;

    public static void Map(IEndpointRouteBuilder api)
    {
        api.MapPost("/v1/pods/{id}/enter", Enter).Requires(Role.Operator, "entering a pod").Produces<EnterLine>(contentType: NdjsonAnswer.ContentType);
    }

    private static async Task Enter(string id, HttpContext context, [FromServices] IGrainFactory grains)
    {
        var body = await JsonBody.Read<EnterBody>(context.Request);
        var command = body.Command is { Count: > 0 } given ? given : ["/bin/sh"];
        if (command.Any(string.IsNullOrEmpty))
        {
            throw new BadRequestException("\"command\" has an empty word");
        }

        var console = new PodConsole(body.Input ?? true, body.Terminal?.ToSize());
        var pod = grains.GetGrain<IPodGrain>(await PodReferences.Resolve(grains, id));
        // A refusal (a role, a pod not running, a missing app) is an HTTP error of its kind: nothing has started yet.
        var session = await pod.Enter(new PodEnterRequest(body.App, command, console, body.TerminalType));
        var stream = new NdjsonAnswer(context.Response);
        await stream.Start();
        var gone = context.RequestAborted;
        try
        {
            await stream.Write(new EnterLine { Session = session, Input = console.Input ? true : null, Terminal = console.Terminal is null ? null : true }, gone);
            long offset = 0;
            var polling = new OutputPolling();
            while (true)
            {
                var output = await pod.ReadSessionOutput(session, offset, OutputChunkBytes);
                if (output.Data.Length > 0)
                {
                    await stream.Write(new EnterLine { Output = output.Data }, gone);
                    offset = output.NextOffset;
                    polling.Reset();
                }

                if (output.ExitCode is { } code)
                {
                    await stream.Write(new EnterLine { ExitCode = code }, gone);
                    return;
                }

                if (output.Data.Length == 0)
                {
                    await polling.Wait(gone);
                }
            }
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException)
        {
            // The caller went away: the command goes too, as a shell's does when its terminal closes.
            await pod.EndSession(session);
        }
    }
}

/// <summary>The body of <c>POST /v1/pods/{id}/enter</c>.</summary>
/// <param name="App">The app to enter, or null for the pod's first.</param>
/// <param name="Command">The command and its arguments; default <c>/bin/sh</c>.</param>
/// <param name="Input">Whether <c>POST /v1/pods/{id}/input?session=</c> feeds its stdin (default true); otherwise it is empty.</param>
/// <param name="Terminal">A terminal of this size for it, or null for pipes.</param>
/// <param name="TerminalType">The caller's TERM, set for the command.</param>
public sealed record EnterBody(string? App, IReadOnlyList<string>? Command, bool? Input, TerminalSizeBody? Terminal, string? TerminalType);

/// <summary>One line of <c>POST /v1/pods/{id}/enter</c>'s NDJSON answer: the session first, then output, last the exit code.</summary>
public sealed record EnterLine
{
    /// <summary>The session's id, first, once the command runs.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public string? Session { get; init; }

    /// <summary>On the first line: the command reads its input from <c>POST /v1/pods/{id}/input?session=</c>.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public bool? Input { get; init; }

    /// <summary>On the first line: the command has a terminal, resized by <c>POST /v1/pods/{id}/resize?session=</c>.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public bool? Terminal { get; init; }

    /// <summary>What the command wrote (stdout and stderr, as written; a terminal's as it shows it), base64.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public byte[]? Output { get; init; }

    /// <summary>Last: the command's exit code (125 when it could not start: its output says why).</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public int? ExitCode { get; init; }
}
