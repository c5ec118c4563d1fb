using FleetPods.Grains.Security;
using Microsoft.AspNetCore.Http;

namespace FleetPods.Silo.FrontDoor;

/// <summary>
/// Lets a request reach its endpoint only if its caller holds the role the endpoint declares; a refused request
/// reaches no handler, so nothing changes. The grain calls the handler makes carry the caller
/// (<see cref="CallerContext"/>), so the grains can judge what it asks for too (a privileged pod needs an admin).
/// </summary>
public sealed class RoleGate(RequestDelegate next)
{
    public async Task InvokeAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.GetEndpoint() is not { } endpoint)
        {
            await next(context);
            return;
        }

        var caller = CallerItems.Of(context);
        if (caller is null)
        {
            throw new ForbiddenException("the API could not tell who you are");
        }

        // An endpoint that declares no role is a mistake; it is closed rather than open.
        var requirement = endpoint.Metadata.GetMetadata<RoleRequirement>()
            ?? throw new ForbiddenException($"{context.Request.Method} {context.Request.Path} declares no role; nobody may call it");
        if (caller.Role is not { } role || role < requirement.Role)
        {
            throw new ForbiddenException($"{requirement.What} needs the {RoleNames.Of(requirement.Role)} role; you are {caller.Describe()}");
        }

        using (CallerContext.Enter(caller.AsCaller!))
        {
            await next(context);
        }
    }
}
