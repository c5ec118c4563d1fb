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
/// <c>POST /v1/run</c>: <c>fleetpods run</c> on the server. The words after <c>run</c> are parsed as the CLI parsed
/// them (<see cref="RunCommandLine"/>) and the pod is run by <see cref="OneOffPod"/>; the answer streams as NDJSON:
/// <c>{"pod": id}</c> once placed (with <c>"input": true</c> and <c>"terminal": true</c> for a pod run with a console, see
/// <see cref="PodConsoleApi"/>), <c>{"output": base64}</c> as the pod writes, <c>{"error": line}</c> if it failed,
/// and last <c>{"exitCode": n}</c>. A caller that goes away (or stops reading) stops the pod, as Ctrl-C does.
/// </summary>
public static class RunApi
{
    private const int Failure = 1;

    public static void Map(IEndpointRouteBuilder api)
    {
        api.MapPost("/v1/run", Run).Requires(Role.Operator, "running a pod").Produces<RunLine>(contentType: NdjsonAnswer.ContentType);
    }

    private static async Task Run(HttpContext context, [FromServices] IGrainFactory grains)
    {
        var request = await JsonBody.Read<RunRequest>(context.Request);
        var arguments = request.Arguments ?? throw new BadRequestException("the body needs \"arguments\": the words after 'fleetpods run'");
        // Bad words are a plain 400 before any stream starts: nothing was placed.
        var spec = new RunCommandLine().Parse(arguments);
        if (spec.Console is { Terminal: not null } console && request.Terminal is { } size)
        {
            spec = spec with { Console = console with { Terminal = size.ToSize() } };
        }

        // The answer starts with its first line, once the pod is placed: a refusal before that (a pod the caller's
        // role does not allow, an image no node has) is an HTTP error of its kind, as any other request's.
        var stream = new NdjsonAnswer(context.Response);
        context.Response.ContentType = NdjsonAnswer.ContentType;
        using var gone = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        int exitCode;
        try
        {
            exitCode = await OneOffPod.Run(grains, spec, (data, token) => Send(new RunLine { Output = data.ToArray() }, token), status => Send(RunLine.Placed(status.Id, spec.Console), gone.Token), gone.Token);
        }
        catch (Exception ex) when (context.Response.HasStarted && ExpectedFailures.Describe(ex) is { } line)
        {
            await Send(new RunLine { Error = line }, gone.Token);
            exitCode = Failure;
        }

        await Send(new RunLine { ExitCode = exitCode }, gone.Token);

        // A line the caller cannot take means it is gone: the pod is stopped as on Ctrl-C.
        async ValueTask Send(RunLine line, CancellationToken token)
        {
            try
            {
                await stream.Write(line, token);
            }
            catch (Exception ex) when (ex is IOException or OperationCanceledException)
            {
                await gone.CancelAsync();
            }
        }
    }
}

/// <summary>The body of <c>POST /v1/run</c>.</summary>
/// <param name="Arguments">The words after <c>fleetpods run</c>: flags, images, then <c>--</c> and the command.</param>
/// <param name="Terminal">The caller's terminal size, for <c>--tty</c> (default 24 by 80).</param>
public sealed record RunRequest(IReadOnlyList<string>? Arguments, TerminalSizeBody? Terminal = null);

/// <summary>One line of <c>POST /v1/run</c>'s NDJSON answer; exactly one of its members is set.</summary>
public sealed record RunLine
{
    /// <summary>The pod's id, first, once it is placed.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public string? Pod { get; init; }

    /// <summary>On the first line, for <c>--interactive</c>: the pod reads its input from <c>POST /v1/pods/{id}/input</c>.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public bool? Input { get; init; }

    /// <summary>On the first line, for <c>--tty</c>: the pod's app has a terminal, resized by <c>POST /v1/pods/{id}/resize</c>.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public bool? Terminal { get; init; }

    /// <summary>Output of the pod's apps (stdout and stderr, as written), base64.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public byte[]? Output { get; init; }

    /// <summary>Why the pod could not be placed or failed, one line.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public string? Error { get; init; }

    /// <summary>Last: the pod's exit code (1 after an error, 130 after a stop on the caller's going away).</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public int? ExitCode { get; init; }

    /// <summary>The first line: the pod's id, and its console when it has one.</summary>
    public static RunLine Placed(string pod, PodConsole? console) => new()
    {
        Pod = pod,
        Input = console?.Input == true ? true : null,
        Terminal = console?.Terminal is not null ? true : null,
    };
}
