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

        // An endpoint that declares no role (routing's own, such as a method the path does not take) is closed, not open.
        var requirement = endpoint.Metadata.GetMetadata<RoleRequirement>()
            ?? throw new NotFoundException($"the API has no {context.Request.Method} {LogText.Of(context.Request.Path.Value ?? "")} (see docs/api.md)");
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
