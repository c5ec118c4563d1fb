using FleetPods.Grains;
using FleetPods.Security;
using FleetPods.Silo.FrontDoor;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;

namespace FleetPods.Silo.Api;

/// <summary>
/// The console of a pod run with <c>--interactive</c> or <c>--tty</c> (<see cref="RunApi"/>), or of an enter session
/// (<c>?session=</c>, <see cref="EnterApi"/>): <c>POST /v1/pods/{id}/input[?end=true]</c> hands the body's bytes to the
/// app's stdin, in the order of the calls (the caller waits while the app does not read), and <c>end=true</c> closes
/// it after them; <c>POST /v1/pods/{id}/resize</c> with <c>{"rows", "columns"}</c> resizes its terminal. Both take the
/// pod's whole id, which the run's first line gives: they come with every keystroke, so nothing is looked up.
/// </summary>
public static class PodConsoleApi
{
    public static void Map(IEndpointRouteBuilder api)
    {
        api.MapPost("/v1/pods/{id}/input", Input)
            .Requires(Role.Operator, "typing into a pod")
            .NotAudited("keystrokes: the run that made the pod is audited, and what is typed may be a password")
            .Accepts<byte[]>("application/octet-stream")
            .Produces(StatusCodes.Status204NoContent);
        api.MapPost("/v1/pods/{id}/resize", Resize)
            .Requires(Role.Operator, "resizing a pod's terminal")
            .NotAudited("a terminal's size follows its window: the run that made the pod is audited")
            .Accepts<TerminalSizeBody>("application/json")
            .Produces(StatusCodes.Status204NoContent);
    }

    private static async Task<IResult> Input(string id, [FromQuery] string? session, [FromQuery] string? end, HttpRequest request, [FromServices] IGrainFactory grains)
    {
        var endOfInput = QueryFlags.Parse("end", end);
        var body = await JsonBody.ReadBytes(request);
        await grains.GetGrain<IPodGrain>(id).WriteInput(session, body, endOfInput);
        return Results.NoContent();
    }

    private static async Task<IResult> Resize(string id, [FromQuery] string? session, HttpRequest request, [FromServices] IGrainFactory grains)
    {
        var size = await JsonBody.Read<TerminalSizeBody>(request);
        await grains.GetGrain<IPodGrain>(id).ResizeTerminal(session, size.ToSize());
        return Results.NoContent();
    }
}

/// <summary>The body of <c>POST /v1/pods/{id}/resize</c> and the terminal size of <c>POST /v1/run</c>.</summary>
/// <param name="Rows">Lines, 1 to 65535.</param>
/// <param name="Columns">Characters per line, 1 to 65535.</param>
public sealed record TerminalSizeBody(int? Rows, int? Columns)
{
    /// <exception cref="BadRequestException">A dimension is missing or out of range.</exception>
    public TerminalSize ToSize() =>
        Rows is >= 1 and <= ushort.MaxValue && Columns is >= 1 and <= ushort.MaxValue
            ? new TerminalSize((ushort)Rows, (ushort)Columns)
            : throw new BadRequestException($"a terminal size needs rows and columns from 1 to {ushort.MaxValue} (rows={Rows}, columns={Columns})");
}
