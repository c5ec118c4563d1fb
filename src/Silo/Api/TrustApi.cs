using System.Text;
using FleetPods.Grains;
using FleetPods.NodeRuntime.Images.Trust;
using FleetPods.Security;
using FleetPods.Silo.FrontDoor;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;

namespace FleetPods.Silo.Api;

/// <summary>
/// rkt's <c>trust</c>: the OpenPGP keys the cluster trusts to sign images, per name prefix. The key is the body (the
/// CLI read the caller's file): the daemon reads it with the same OpenPGP code the nodes verify with, and stores its
/// fingerprint with it. Adding and removing need an admin; the keys are public, so any reader may list them.
/// </summary>
public static class TrustApi
{
    public static void Map(IEndpointRouteBuilder api)
    {
        api.MapGet("/v1/trust", List).Requires(Role.Reader, "listing trusted keys");
        api.MapPost("/v1/trust", Add).Requires(Role.Admin, "trusting a signing key");
        api.MapDelete("/v1/trust/{fingerprint}", RemoveKey).Requires(Role.Admin, "removing a trusted key");
        api.MapDelete("/v1/trust", RemovePrefix).Requires(Role.Admin, "removing trusted keys");
    }

    private static ITrustGrain Trust(IGrainFactory grains) => grains.GetGrain<ITrustGrain>(ITrustGrain.Cluster);

    private static async Task<TrustedKeyView[]> List([FromServices] IGrainFactory grains) =>
        [.. (await Trust(grains).List()).Select(TrustedKeyView.Of)];

    private static async Task<TrustedKeyView> Add([FromQuery] string? prefix, [FromQuery] string? root, HttpContext context, [FromServices] IGrainFactory grains)
    {
        var chosen = Prefix(prefix, root);
        var armored = Encoding.UTF8.GetString(await JsonBody.ReadBytes(context.Request));
        OpenPgpPublicKey key;
        try
        {
            key = OpenPgpPublicKey.Read(armored);
        }
        catch (FormatException ex)
        {
            throw new BadRequestException($"the body is not a key to trust: {ex.Message}");
        }

        return TrustedKeyView.Of(await Trust(grains).Add(chosen, key.Fingerprint, armored, [.. key.UserIds]));
    }

    private static async Task<TrustedKeyView[]> RemoveKey(string fingerprint, [FromServices] IGrainFactory grains) =>
        [.. (await Trust(grains).RemoveKey(fingerprint)).Select(TrustedKeyView.Of)];

    private static async Task<TrustedKeyView[]> RemovePrefix([FromQuery] string? prefix, [FromQuery] string? root, [FromServices] IGrainFactory grains) =>
        [.. (await Trust(grains).RemovePrefix(Prefix(prefix, root))).Select(TrustedKeyView.Of)];

    private static string Prefix(string? prefix, string? root) => (prefix, QueryFlags.Parse("root", root)) switch
    {
        (null, true) => "",
        ({ Length: > 0 } named, false) => named,
        (_, true) => throw new BadRequestException("give prefix= or root=true, not both"),
        _ => throw new BadRequestException("give prefix= (the image names the key may sign, e.g. example.com/app) or root=true (every name)"),
    };
}

/// <summary>A trusted key as the API shows it: everything but its armor.</summary>
public sealed record TrustedKeyView(string Prefix, string Fingerprint, IReadOnlyList<string> UserIds, string AddedBy, DateTimeOffset AddedAt)
{
    public static TrustedKeyView Of(TrustedKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return new(key.Prefix, key.Fingerprint, key.UserIds, key.AddedBy, key.AddedAt);
    }
}
