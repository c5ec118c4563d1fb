using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;

namespace FleetPods.Silo.FrontDoor;

/// <summary>
/// One structured line for every request that may change something (any method but GET and HEAD), allowed or
/// refused: who (name, role, socket or https), what (method, path, the unit, pod or image), and the result. A pod's
/// input is not logged call by call (<see cref="AuditExemption"/>): the run that made the pod is, and keystrokes may be passwords.
/// </summary>
public sealed class AuditLog(RequestDelegate next, ILogger<AuditLog> logger)
{
    private static readonly string[] TargetKeys = ["name", "id", "image"];

    public async Task InvokeAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method)
            || context.GetEndpoint()?.Metadata.GetMetadata<AuditExemption>() is not null)
        {
            await next(context);
            return;
        }

        try
        {
            await next(context);
        }
        finally
        {
            var caller = CallerItems.Of(context);
            var target = TargetKeys.Select(k => context.GetRouteValue(k) as string).FirstOrDefault(v => v is not null);
            logger.LogInformation(
                "Audit: {Caller} ({Role}) via {Via}: {Method} {Path} target {Target}: {Status} {Outcome}",
                LogText.Of(caller?.Name ?? "unknown"),
                caller?.Role is { } role ? RoleNames.Of(role) : "no role",
                caller?.Via.ToString().ToLowerInvariant() ?? "unknown",
                context.Request.Method,
                LogText.Of(context.Request.Path.Value ?? ""),
                target is null ? "-" : LogText.Of(Uri.UnescapeDataString(target)),
                context.Response.StatusCode,
                LogText.Of(context.Items[ApiErrors.ErrorItem] as string ?? "done"));
        }
    }
}
