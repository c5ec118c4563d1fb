using FleetPods.Cli;
using FleetPods.Grains;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace FleetPods.Silo.FrontDoor;

/// <summary>
/// The one place a failure becomes an HTTP answer: a status code chosen by the failure's type, and
/// <c>{"error": "one line"}</c> (a refused unit file adds its errors). No stack trace leaves the daemon.
/// </summary>
public sealed class ApiErrors(RequestDelegate next, ILogger<ApiErrors> logger)
{
    /// <summary>Where the line of a failed request is kept for the audit log.</summary>
    public const string ErrorItem = "fleetpods.error";

    public async Task InvokeAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        try
        {
            await next(context);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The caller went away; nobody is left to answer.
            context.Items[ErrorItem] = "the caller went away";
        }
        catch (Exception ex)
        {
            var (status, line) = Describe(ex);
            if (status == StatusCodes.Status500InternalServerError)
            {
                logger.LogError(ex, "API request {Method} {Path} failed", context.Request.Method, context.Request.Path);
            }

            context.Items[ErrorItem] = line;
            if (context.Response.HasStarted)
            {
                // A stream already under way (an archive, a tar) cannot change its status: cutting it short tells the client.
                context.Abort();
                return;
            }

            context.Response.Clear();
            context.Response.StatusCode = status;
            object body = ex is UnitFileRejectedException rejected
                ? new { error = line, errors = rejected.Result.Errors.Select(e => new { line = e.Line, key = e.Key, message = e.Message }) }
                : new { error = line };
            await context.Response.WriteAsJsonAsync(body, ApiJson.Options, CancellationToken.None);
        }
    }

    /// <summary>The status code and the line for a person, by the failure's type.</summary>
    public static (int Status, string Line) Describe(Exception exception) => exception switch
    {
        ForbiddenException => (StatusCodes.Status403Forbidden, exception.Message),
        NotFoundException => (StatusCodes.Status404NotFound, exception.Message),
        ConflictException => (StatusCodes.Status409Conflict, exception.Message),
        BadRequestException or UnitFileRejectedException or CliException => (StatusCodes.Status400BadRequest, exception.Message),
        BadHttpRequestException bad => (bad.StatusCode, FirstLine(bad.Message)),
        NodeUnavailableException => (StatusCodes.Status503ServiceUnavailable, exception.Message),
        FleetPodsException => (StatusCodes.Status400BadRequest, exception.Message),
        _ when ExpectedFailures.Describe(exception) is { } line => (StatusCodes.Status503ServiceUnavailable, line),
        _ => (StatusCodes.Status500InternalServerError, $"the cluster failed the request: {FirstLine(exception.Message)}"),
    };

    private static string FirstLine(string message) => message.Split('\n')[0];
}
