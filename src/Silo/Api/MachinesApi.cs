using System.Text.Json;
using System.Text.Json.Nodes;
using FleetPods.Grains;
using FleetPods.Security;
using FleetPods.Silo.FrontDoor;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;

namespace FleetPods.Silo.Api;

/// <summary><c>GET /v1/machines</c>: the nodes of the cluster with their status, capacity, reservations and metadata.</summary>
public static class MachinesApi
{
    public static void Map(IEndpointRouteBuilder api)
    {
        api.MapGet("/v1/machines", List).Requires(Role.Reader, "listing machines");
    }

    // A node that is down still shows what it last announced, as nomad and kubectl show a node that is down or NotReady.
    private static async Task<List<JsonObject>> List([FromServices] IGrainFactory grains, CancellationToken cancellationToken)
    {
        var nodes = await ReadRetry.Run(() => grains.GetGrain<IClusterGrain>(IClusterGrain.Key).GetNodes(), cancellationToken);
        return [.. nodes.Select(Machine)];
    }

    // The node's fields as announced, with its status beside them, so a script reads a machine the same whether it is up or down;
    // enums (its stage1 flavors) as the API writes them everywhere: kebab-case names.
    private static JsonObject Machine(NodeStatus node)
    {
        var json = node.Info is { } info ? JsonSerializer.SerializeToNode(info, ApiJson.Options)!.AsObject() : new JsonObject { ["name"] = node.Name };
        json["status"] = node.Liveness.ToString().ToLowerInvariant();
        return json;
    }
}
