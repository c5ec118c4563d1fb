using FleetPods.Security;
using FleetPods.Silo.FrontDoor;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace FleetPods.Silo.Api;

/// <summary>Every endpoint of the HTTP API v1 (docs/api.md), each with the least role it needs.</summary>
public static class ApiV1
{
    public static void Map(IEndpointRouteBuilder api)
    {
        ArgumentNullException.ThrowIfNull(api);
        WhoAmIApi.Map(api);
        UnitsApi.Map(api);
        PodsApi.Map(api);
        EnterApi.Map(api);
        MachinesApi.Map(api);
        ImagesApi.Map(api);
        TrustApi.Map(api);
        RegistrySecretsApi.Map(api);
        GcApi.Map(api);
        RunApi.Map(api);
        PodConsoleApi.Map(api);
        api.MapOpenApi("/v1/openapi/{documentName}.json").Requires(Role.Reader, "reading the API's description");
        api.MapFallback(NoSuchPath).Requires(Role.Reader, "calling the API").ExcludeFromDescription();
    }

    private static IResult NoSuchPath(HttpContext context) =>
        throw new NotFoundException($"the API has no {context.Request.Method} {LogText.Of(context.Request.Path.Value ?? "")} (see docs/api.md)");
}
