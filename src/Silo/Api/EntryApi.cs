using FleetPods.Grains;
using FleetPods.Security;
using FleetPods.Silo.FrontDoor;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;

namespace FleetPods.Silo.Api;

/// <summary>
/// <c>GET /v1/pods/{id}/entry?app=</c>: how to enter a running app on its node (<c>fleetpods enter</c>): the node's
/// <c>fleetpods-shim --enter</c> command line, which joins the app's namespaces. Admin only, as running it takes root.
/// </summary>
public static class EntryApi
{
    public static void Map(IEndpointRouteBuilder api)
    {
        api.MapGet("/v1/pods/{id}/entry", Entry).Requires(Role.Admin, "entering a pod");
    }

    private static async Task<PodEntry> Entry(string id, [FromQuery] string? app, [FromServices] IGrainFactory grains) =>
        await grains.GetGrain<IPodGrain>(await PodReferences.Resolve(grains, id)).GetEntry(app);
}
