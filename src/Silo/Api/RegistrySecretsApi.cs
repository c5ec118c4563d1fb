using FleetPods.Grains;
using FleetPods.Security;
using FleetPods.Silo.FrontDoor;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;

namespace FleetPods.Silo.Api;

/// <summary>
/// Registry pull secrets (<c>fleetpods secret set-registry|list|rm</c>): what the nodes present to a registry when they
/// pull a unit's <c>docker://</c> image. Admin only; no answer holds a password (the CLI read it from the admin's
/// docker config and sent it in the body).
/// </summary>
public static class RegistrySecretsApi
{
    public static void Map(IEndpointRouteBuilder api)
    {
        api.MapGet("/v1/registry-secrets", List).Requires(Role.Admin, "listing registry pull secrets");
        api.MapPut("/v1/registry-secrets/{host}", Set).Requires(Role.Admin, "setting a registry pull secret");
        api.MapDelete("/v1/registry-secrets/{host}", Remove).Requires(Role.Admin, "removing a registry pull secret");
    }

    private static IPullSecretGrain Secrets(IGrainFactory grains) => grains.GetGrain<IPullSecretGrain>(IPullSecretGrain.Cluster);

    private static async Task<IReadOnlyList<RegistryPullSecretInfo>> List([FromServices] IGrainFactory grains) => await Secrets(grains).List();

    private static async Task<RegistryPullSecretInfo> Set(string host, HttpContext context, [FromServices] IGrainFactory grains)
    {
        var body = await JsonBody.Read<RegistrySecretRequest>(context.Request);
        if (body is not { Username: { Length: > 0 } user, Password: { } password })
        {
            throw new BadRequestException("the body needs \"username\" and \"password\" (and may have \"caCertificates\": PEM, \"insecure\": true)");
        }

        return await Secrets(grains).Set(Uri.UnescapeDataString(host), user, password, body.CaCertificates, body.Insecure ?? false);
    }

    private static async Task<RegistryPullSecretInfo> Remove(string host, [FromServices] IGrainFactory grains) => await Secrets(grains).Remove(Uri.UnescapeDataString(host));
}

/// <summary>The body of <c>PUT /v1/registry-secrets/{host}</c>; its ToString hides the password.</summary>
public sealed record RegistrySecretRequest(string? Username, string? Password, string? CaCertificates = null, bool? Insecure = null)
{
    public override string ToString() => $"{Username}:********";
}
