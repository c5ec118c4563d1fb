using FleetPods.Security;
using FleetPods.Silo.FrontDoor;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;

namespace FleetPods.Silo.Api;

/// <summary><c>GET /v1/whoami</c>: who the daemon takes the caller for, and which node answers.</summary>
public static class WhoAmIApi
{
    public static void Map(IEndpointRouteBuilder api)
    {
        api.MapGet("/v1/whoami", WhoAmI).Requires(Role.Reader, "asking who you are");
    }

    private static WhoAmI WhoAmI(HttpContext context, [FromServices] DaemonOptions options)
    {
        var caller = CallerItems.Of(context)!;
        return new WhoAmI(caller.Name, caller.Role!.Value, options.NodeName);
    }
}

/// <summary>The answer of <c>GET /v1/whoami</c>.</summary>
public sealed record WhoAmI(string Name, Role Role, string Node);
